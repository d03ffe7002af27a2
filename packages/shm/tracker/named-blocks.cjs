'use strict';
// mpts named-block tracker: holds the names of named shared-memory blocks (SharedMemory,
// ShareableList) that one process created, and unlinks those still there when that process is
// gone, or at once when told to. The process writes lines to our stdin:
//   +<ino> <name> track /dev/shm/<name>, the file with that inode number
//   -<name>       forget it (the process unlinked it)
//   unlink-all    unlink every tracked name now and exit (a SharedMemoryManager's shutdown)
// Runs from plain Node, with no dependencies but its own folder's, so it needs no loader and no
// addon.
const fs = require('node:fs');
const alive = require('./process-alive.cjs');

const pid = Number(process.argv[2]);
const POLL_MS = 200;
/** The names to unlink, each with the inode of the file the process made under it. */
const tracked = new Map();


function unlinkAllAndExit() {
  for (const [name, ino] of tracked) {
    try {
      // Another process may have unlinked the name and made a block of its own under it: that
      // one is not ours to remove.
      if (fs.statSync(`/dev/shm/${name}`, { bigint: true }).ino === ino) fs.unlinkSync(`/dev/shm/${name}`);
    } catch {
      // unlinked already, by someone else
    }
  }
  process.exit(0);
}

function parentGone() {
  // The pipe also closes when the thread that started us ends (a worker), while the process
  // lives on: wait for the process itself.
  if (alive(pid)) {
    setTimeout(parentGone, POLL_MS);
    return;
  }
  unlinkAllAndExit();
}

function track(entry) {
  const space = entry.indexOf(' ');
  const name = entry.slice(space + 1);
  if (space < 1 || name === '' || name.includes('/')) return;
  try {
    tracked.set(name, BigInt(entry.slice(0, space)));
  } catch {
    // not a number: not a line of ours
  }
}

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let end;
  while ((end = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, end);
    pending = pending.slice(end + 1);
    // A name never holds a slash or a newline (shm names are one path component).
    if (line === 'unlink-all') unlinkAllAndExit();
    else if (line.startsWith('+')) track(line.slice(1));
    else if (line.startsWith('-')) tracked.delete(line.slice(1));
  }
});
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
process.stdin.on('end', parentGone);
process.stdin.on('error', parentGone);
// Tell the starting process we run; it may be gone already (killed at once), which is no error.
process.stdout.on('error', () => {});
process.stdout.write('ready\n');
