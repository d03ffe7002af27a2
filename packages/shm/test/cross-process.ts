import { describe, it } from 'vitest';
import { crossProcess } from '../src/index.js';

/**
 * Set on a platform where the shared-memory addon cannot be built (it is Linux-only): the tests
 * that need it are then skipped. Anywhere else a missing addon fails them, with its reason, so
 * a broken build can never pass as a run that had nothing to test.
 */
export const WITHOUT_ADDON_VARIABLE = 'MPTS_TEST_WITHOUT_SHM_ADDON';

/** `describe` for tests that need shared memory across processes, so the native addon. */
export function describeCrossProcess(name: string, body: () => void, also = true): void {
  if (!also) return void describe.skip(name, body);
  if (crossProcess.available) return void describe(name, body);
  if (process.env[WITHOUT_ADDON_VARIABLE]) return void describe.skip(name, body);
  describe(name, () => {
    it('needs the shared-memory addon', () => {
      throw new Error(`the shared-memory addon is not available: ${crossProcess.reason}. `
        + `Set ${WITHOUT_ADDON_VARIABLE}=1 on a platform without it.`);
    });
  });
}
