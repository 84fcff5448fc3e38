#!/usr/bin/env node
// pretest: the queue and service tests start their own redis-server. Install it from Debian's
// packages when it is missing and we may (root); otherwise say how.
import { execSync } from 'node:child_process';

const has = () => {
  try {
    execSync('command -v redis-server', { stdio: 'ignore', shell: '/bin/sh' });
    return true;
  } catch {
    return false;
  }
};

if (!has()) {
  if (process.getuid?.() === 0) {
    console.log('redis-server not found: installing it with apt-get (tests start their own instances)');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server', { stdio: 'inherit', shell: '/bin/sh' });
  } else {
    console.error('redis-server is needed by the tests: install it (Debian: sudo apt-get install -y redis-server) and run again');
    process.exit(1);
  }
}
