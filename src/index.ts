// The universal entry: runs in Node, Deno, Bun, workerd and browsers; imports nothing runtime-specific.
export * from './core/index.js';
