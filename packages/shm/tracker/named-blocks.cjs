'use strict';
// mpts named-block tracker: holds the names of named shared-memory blocks (SharedMemory,
// ShareableList) that one process created, and unlinks those still there when that process is
// gone, or at once when told to. The process writes lines to our stdin:
//   +<name>       track /dev/shm/<name>
//   -<name>       forget it (the process unlinked it, or gave it up)
//   unlink-all    unlink every tracked name now and exit (a SharedMemoryManager's shutdown)
// Runs from plain Node, with no dependencies, so it needs no loader and no addon.
const fs = require('node:fs');

const pid = Number(process.argv[2]);
const POLL_MS = 200;
const tracked = new Set();

function alive(p) {
  try {
    process.kill(p, 0);
  } catch (error) {
    if (error.code === 'ESRCH') return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function unlinkAllAndExit() {
  for (const name of tracked) {
    try {
      fs.unlinkSync(`/dev/shm/${name}`);
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
    else if (line.startsWith('+') && line.length > 1 && !line.includes('/')) tracked.add(line.slice(1));
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
