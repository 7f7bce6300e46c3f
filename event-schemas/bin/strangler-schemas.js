#!/usr/bin/env node
// strangler-schemas check|snapshot|export --catalog FILE: see the README of @strangler/event-schemas.
import { runCli } from '../dist/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
