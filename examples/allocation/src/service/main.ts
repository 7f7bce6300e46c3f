import { runServiceCli } from '@strangler/new-service';
import { allocationCli } from './cli.js';

await runServiceCli(allocationCli);
