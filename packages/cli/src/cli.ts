#!/usr/bin/env node
/**
 * The `metasource` binary. Ctrl-C (SIGINT) asks the running command to stop
 * at its next safe point (an import lets its running batch finish and says
 * what is committed); a second Ctrl-C exits at once.
 */
import { main } from './main';

const interrupts = new AbortController();
let interruptCount = 0;
process.on('SIGINT', () => {
  interruptCount += 1;
  if (interruptCount === 1) {
    process.stderr.write('\nmetasource: interrupted; stopping at the next safe point (Ctrl-C again to exit at once)\n');
    interrupts.abort();
    return;
  }
  process.stderr.write('metasource: interrupted again; exiting now (an open transaction is rolled back by the database)\n');
  process.exit(130);
});

const code = await main(process.argv, { signal: interrupts.signal });
// Exit explicitly: a store module (conformance) or a pool may hold the event loop open.
process.exit(code);
