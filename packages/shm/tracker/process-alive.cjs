'use strict';
// Whether process `pid` still runs: it exists and is not a zombie (a killed process whose parent
// has not reaped it yet holds nothing any more). Shared by mpts's trackers, which run from plain
// Node with no dependencies.
const fs = require('node:fs');

module.exports = function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error.code === 'ESRCH') return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
};
