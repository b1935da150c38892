import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, createWarning } from './errors.js';
import { parseConfig } from './parse.js';
import { defaultConfig, type LoadedConfig } from './schema.js';

const CONFIG_FILE_NAME = 'moat.yaml';
/** The name moat used before it was renamed; still read when moat.yaml is absent. */
const LEGACY_CONFIG_FILE_NAME = 'agent.yaml';

/**
 * Loads the workspace's moat.yaml, or its legacy agent.yaml, into a defaulted config.
 * No config file means defaults with `file: null`. Throws a ConfigError for anything wrong.
 */
export async function loadConfig(workspaceDir: string): Promise<LoadedConfig> {
  const workspace = path.resolve(workspaceDir);
  await assertDirectory(workspace);

  const configPath = path.join(workspace, CONFIG_FILE_NAME);
  const legacyPath = path.join(workspace, LEGACY_CONFIG_FILE_NAME);
  const configText = await readIfPresent(configPath);
  if (configText !== undefined) {
    const loaded = parseConfig(configText, displayPath(configPath));
    if (await exists(legacyPath)) {
      const message = `ignored because ${CONFIG_FILE_NAME} is present; move any settings it holds into ${CONFIG_FILE_NAME} and delete it`;
      loaded.warnings.unshift(createWarning({ file: displayPath(legacyPath) }, message));
    }
    return loaded;
  }

  const legacyText = await readIfPresent(legacyPath);
  if (legacyText !== undefined) return parseConfig(legacyText, displayPath(legacyPath));
  return { config: defaultConfig(), file: null, warnings: [] };
}

async function assertDirectory(workspace: string): Promise<void> {
  let stats: Stats;
  try {
    stats = await stat(workspace);
  } catch (error) {
    const message = isMissingPathError(error)
      ? `workspace directory ${workspace} does not exist`
      : `cannot open workspace directory ${workspace} (${osReason(error)})`;
    throw new ConfigError({ code: 'io', message, cause: error });
  }
  if (!stats.isDirectory()) {
    throw new ConfigError({ code: 'io', message: `workspace ${workspace} is not a directory` });
  }
}

async function readIfPresent(filePath: string): Promise<string | undefined> {
  try {
    return await readFile(filePath, 'utf8');
  } catch (error) {
    if (isMissingPathError(error)) return undefined;
    const file = displayPath(filePath);
    throw new ConfigError({
      code: 'io',
      message: `cannot read the file (${osReason(error)})`,
      file,
      cause: error,
    });
  }
}

async function exists(filePath: string): Promise<boolean> {
  try {
    await stat(filePath);
    return true;
  } catch {
    return false;
  }
}

/** Relative to the current directory when the file lies below it, as a user would type it. */
function displayPath(filePath: string): string {
  const relative = path.relative(process.cwd(), filePath);
  const outsideCwd = relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  return outsideCwd ? filePath : relative;
}

function isMissingPathError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** "EACCES: permission denied" from Node's "EACCES: permission denied, open '/x/moat.yaml'". */
function osReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/, \w+(?: '.*')?$/, '');
}
