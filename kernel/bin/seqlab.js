#!/usr/bin/env node
// The `seqlab` command: see `seqlab --help`. The implementation is compiled to kernel/dist.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
