/** Shared checks for the crypto tests: the error's class, code and step, and that it leaks nothing. */
import assert from "node:assert/strict";
import { CryptoError, type CryptoStep } from "../../src/provider/errors";

/** Runs `action` and asserts a CryptoError with `step` whose message contains none of `secrets`. */
export function assertCryptoError(action: () => unknown, step: CryptoStep, secrets: string[] = []): CryptoError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  return checkCryptoError(caught, step, secrets);
}

export async function assertCryptoErrorAsync(
  action: () => Promise<unknown>,
  step: CryptoStep,
  secrets: string[] = [],
): Promise<CryptoError> {
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  return checkCryptoError(caught, step, secrets);
}

function checkCryptoError(caught: unknown, step: CryptoStep, secrets: string[]): CryptoError {
  assert.ok(caught instanceof CryptoError, `expected CryptoError, got ${String(caught)}`);
  assert.equal(caught.code, "ERR_CRYPTO");
  assert.equal(caught.step, step, `step of: ${caught.message}`);
  for (const secret of secrets.filter((s) => s.length >= 4)) {
    assert.ok(!caught.message.includes(secret), `message leaks a secret: ${caught.message}`);
    assert.ok(!String(caught.stack).includes(secret), "stack leaks a secret");
  }
  return caught;
}
