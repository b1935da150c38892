#!/usr/bin/env node
// Stable bin path (present before the first build, so installs can link it).
import '../dist/bin.js';
