// W11's Process target as compiled JavaScript: it runs, and the child ends.
export function ran() {}
