import { describe, expect, it } from 'vitest';
import { ended } from '../test-support/events.js';
import { isBuildCommand, isBuildScriptName, isSuccessfulBuild } from './build.js';

// [command line, is a build]. Strings split on spaces; arrays keep arguments with spaces.
const TABLE: Array<[string | string[], boolean]> = [
  // The seed's table (seed-spec §13.2), still true.
  ['npm run build', true],
  ['npm run compile', true],
  ['yarn build', true],
  ['go build', true],
  ['go install', true],
  ['make', true],
  ['make all', true],
  ['make build', true],
  ['cargo build', true],
  ['mvn package', true],
  ['mvn compile', true],
  ['gradle build', true],
  ['npm run build -- --production', true],
  ['go build ./...', true],
  ['cargo build --release', true],
  ['make all -j4', true],
  // The seed's false negatives: flags before the subcommand, tools it did not know.
  ['make -j4', true],
  ['make -j8', true],
  ['make -j 8', true],
  ['make -C sub', true],
  ['make -C sub all', true],
  ['make VERBOSE=1', true],
  ['npm --silent run build', true],
  ['npm --prefix x run build', true],
  ['npm -w pkg run build', true],
  ['npm run-script build', true],
  ['npm exec -- tsc', true],
  ['go -C x build', true],
  ['yarn run build', true],
  ['yarn workspace web build', true],
  ['yarn workspaces foreach -A run build', true],
  ['yarn --cwd app build', true],
  ['pnpm build', true],
  ['pnpm run build', true],
  ['pnpm -C dir build', true],
  ['pnpm --filter a build', true],
  ['pnpm -r build', true],
  ['pnpm -r --filter ./pkgs/* run build', true],
  ['pnpm exec tsc -p .', true],
  ['pnpm tsc', true],
  ['bun run build', true],
  ['bun build ./index.ts --outdir out', true],
  ['bunx tsc', true],
  ['npx tsc', true],
  ['npx -y vite build', true],
  ['npx --package typescript tsc', true],
  ['tsc', true],
  ['tsc -b', true],
  ['tsc -p tsconfig.build.json', true],
  ['vite build', true],
  ['vite --mode production build', true],
  ['turbo build', true],
  ['turbo run build --filter web', true],
  ['turbo run lint build', true],
  ['turbo run web#build', true],
  ['./gradlew assembleDebug', true],
  ['gradlew :app:build', true],
  ['cmake --build build', true],
  ['cmake --build build --target app', true],
  ['ninja', true],
  ['ninja -C build', true],
  ['bazel build //...', true],
  ['bazel --output_base=/tmp/b build //app', true],
  ['dotnet build', true],
  ['dotnet publish -c Release', true],
  ['mvn -q package', true],
  ['mvn clean install', true],
  ['cargo +nightly build', true],
  ['cargo --locked b', true],
  ['npm run build:prod', true],
  // Interpreters running the tool's script, as the kernel shows them.
  ['node /usr/lib/node_modules/npm/bin/npm-cli.js run build', true],
  ['node /usr/local/bin/pnpm build', true],
  ['env node /repo/node_modules/typescript/bin/tsc -p .', true],
  ['node .yarn/releases/yarn-4.1.0.cjs build', true],
  ['sh ./gradlew build', true],
  // Not builds: the seed's negatives, plus look-alikes.
  ['npm run build-docker', false],
  ['npm run build-extra', false],
  ['npm run builder', false],
  ['npm install', false],
  ['npm test', false],
  ['npm build', false],
  ['go test ./...', false],
  ['go run .', false],
  ['go vet', false],
  ['make clean', false],
  ['make test', false],
  ['make -n all', false],
  ['cargo test', false],
  ['cargo run', false],
  ['cargo check', false],
  ['cargo build --help', false],
  ['yarn test', false],
  ['yarn', false],
  ['pnpm install', false],
  ['pnpm run test', false],
  ['ls', false],
  ['git status', false],
  ['tsc --noEmit', false],
  ['tsc --watch', false],
  ['tsc --version', false],
  ['vite', false],
  ['vite preview', false],
  ['turbo run test lint', false],
  ['gradle test', false],
  ['gradle build -x build', false], // -x excludes the task it names
  ['gradle -x build test', false],
  ['cmake -S . -B build', false],
  ['cmake --build build --target clean', false],
  ['ninja -t clean', false],
  ['bazel test //...', false],
  ['dotnet test', false],
  ['mvn test', false],
  ['npx eslint .', false],
  ['node -e build', false],
  ['sh -c make', false], // the shell's child make is traced and classified itself
  [['npm', 'run build'], false], // one argument with a space is not two
  ['mycompiler build', false],
];

describe('isBuildCommand', () => {
  it.each(TABLE)('%j → %s', (line, expected) => {
    const [command = '', ...args] = typeof line === 'string' ? line.split(' ') : line;
    expect(isBuildCommand(command, args)).toBe(expected);
  });

  it('has a table of at least 60 command lines', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(60);
  });
});

describe('isSuccessfulBuild', () => {
  it('needs exit 0, not a signal and not a failure', () => {
    expect(isSuccessfulBuild(ended('pnpm build', 0))).toBe(true);
    expect(isSuccessfulBuild(ended('pnpm build', 1))).toBe(false);
    expect(isSuccessfulBuild(ended('pnpm build', null, { signal: 2 }))).toBe(false);
    expect(isSuccessfulBuild(ended('pnpm build', null, { duration_ms: null }))).toBe(false);
  });

  it('script names: build, compile and build:<variant>', () => {
    expect(['build', 'compile', 'build:types'].every(isBuildScriptName)).toBe(true);
    expect(['build-docker', 'builder', 'build:', 'prebuild'].some(isBuildScriptName)).toBe(false);
  });
});
