// W11's Process target as TypeScript: the child loads it through tsx.
export function ran(): void {}
