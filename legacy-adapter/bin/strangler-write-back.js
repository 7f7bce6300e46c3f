#!/usr/bin/env node
import('../dist/write-back-main.js');
