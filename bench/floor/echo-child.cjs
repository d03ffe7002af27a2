// The smallest child_process.fork: answers one IPC message, then lets the process end.
process.once('message', (message) => process.send(message, () => process.disconnect()));
