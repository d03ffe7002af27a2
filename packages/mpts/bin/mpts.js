#!/usr/bin/env node
// The `mpts` command (serve, inspect): `@mpts/cli` runs it when loaded.
import '@mpts/cli/main';
