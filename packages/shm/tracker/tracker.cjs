'use strict';
// mpts shared-memory tracker: started by a process that creates shared memory, with that
// process's pid. When the process is gone (its pipe to us closes and the pid no longer exists,
// or is a zombie), every /dev/shm/mpts-<pid>-* name left is unlinked. A name still waiting for a
// child to attach (its hand-off word counts a pending hand-off) gets a grace period first.
// Runs from plain Node, with no dependencies but its own folder's, so it needs no loader and no
// addon.
const fs = require('node:fs');
const alive = require('./process-alive.cjs');

const pid = Number(process.argv[2]);
const prefix = `mpts-${pid}-`;
const GRACE_MS = 10_000;
const POLL_MS = 100;


function pendingHandOffs(name) {
  let fd;
  try {
    fd = fs.openSync(`/dev/shm/${name}`, 'r');
    const word = Buffer.alloc(4);
    if (fs.readSync(fd, word, 0, 4, 4) !== 4) return 0;
    return word.readInt32LE(0) >> 1;
  } catch {
    return 0;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function names() {
  try {
    return fs.readdirSync('/dev/shm').filter((name) => name.startsWith(prefix));
  } catch {
    return [];
  }
}

function cleanUp(started) {
  const left = names();
  const waiting = Date.now() - started < GRACE_MS;
  for (const name of left) {
    if (waiting && pendingHandOffs(name) > 0) continue;
    try {
      fs.unlinkSync(`/dev/shm/${name}`);
    } catch {
      // gone already
    }
  }
  if (names().length === 0 || !waiting) process.exit(0);
  setTimeout(cleanUp, POLL_MS, started);
}

function parentGone() {
  // The pipe also closes when the thread that started us ends (a worker), while the process
  // lives on: wait for the process itself.
  if (alive(pid)) {
    setTimeout(parentGone, 500);
    return;
  }
  cleanUp(Date.now());
}

process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
process.stdin.on('data', () => {});
process.stdin.on('end', parentGone);
process.stdin.on('error', parentGone);
process.stdin.resume();
