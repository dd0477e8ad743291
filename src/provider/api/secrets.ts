import type { Send } from "./send";
import { rejectMalformedTagIds } from "./tags";
import type {
  EncryptedSecretComment,
  EncryptedSecretKey,
  EncryptedSecretValue,
  SecretCiphertexts,
  SecretScope,
  WireSecret,
} from "./wire";

export interface SecretUpdateBody extends EncryptedSecretValue, EncryptedSecretComment, Partial<EncryptedSecretKey> {
  /** Rename: the new name, sent with its encrypted key. */
  newSecretName?: string;
  /** Tag ids: absent leaves the secret's tags alone, a list (`[]` too) replaces them all. */
  tags?: string[];
}

export type BatchCreateItem = SecretCiphertexts & { secretName: string };
export type BatchUpdateItem = SecretCiphertexts & { secretName: string; type?: "shared"; tags?: string[] };

export function secretsApi(send: Send) {
  return {
    list: (scope: SecretScope) =>
      send<{ secrets: WireSecret[] }>({
        operation: "list secrets",
        method: "GET",
        route: "/api/v3/secrets",
        query: { ...scope, include_imports: "false" },
      }),
    get: (scope: SecretScope, secretName: string) =>
      send<{ secret: WireSecret }>({
        operation: "get secret",
        method: "GET",
        route: "/api/v3/secrets/{secretName}",
        params: { secretName },
        query: { ...scope, type: "shared", include_imports: "false" },
      }),
    create: (scope: SecretScope, secretName: string, body: SecretCiphertexts) =>
      send<{ secret: WireSecret }>({
        operation: "create secret",
        method: "POST",
        route: "/api/v3/secrets/{secretName}",
        params: { secretName },
        body: { ...scope, type: "shared", ...body },
      }),
    update: (scope: SecretScope, secretName: string, body: SecretUpdateBody) => {
      const { newSecretName, ...rest } = body;
      const call = send<{ secret: WireSecret }>({
        operation: "update secret",
        method: "PATCH",
        route: "/api/v3/secrets/{secretName}",
        params: { secretName },
        body: { ...scope, type: "shared", ...rest, ...(newSecretName ? { secretName: newSecretName } : {}) },
        // Setting the same ciphertext twice is harmless; a rename is not repeatable.
        idempotent: newSecretName === undefined,
      });
      return body.tags === undefined ? call : rejectMalformedTagIds(call, body.tags);
    },
    delete: (scope: SecretScope, secretName: string) =>
      send<{ secret: WireSecret }>({
        operation: "delete secret",
        method: "DELETE",
        route: "/api/v3/secrets/{secretName}",
        params: { secretName },
        body: { ...scope, type: "shared" },
      }),
    createMany: (scope: SecretScope, secrets: BatchCreateItem[]) =>
      send<{ secrets: WireSecret[] }>({
        operation: "create secrets (batch)",
        method: "POST",
        route: "/api/v3/secrets/batch",
        body: { ...scope, secrets },
      }),
    updateMany: (scope: SecretScope, secrets: BatchUpdateItem[]) =>
      rejectMalformedTagIds(
        send<{ secrets: WireSecret[] }>({
          operation: "update secrets (batch)",
          method: "PATCH",
          route: "/api/v3/secrets/batch",
          body: { ...scope, secrets: secrets.map((s) => ({ type: "shared", ...s })) },
          idempotent: true,
        }),
        secrets.flatMap((s) => s.tags ?? []),
      ),
    deleteMany: (scope: SecretScope, secretNames: string[]) =>
      send<{ secrets: WireSecret[] }>({
        operation: "delete secrets (batch)",
        method: "DELETE",
        route: "/api/v3/secrets/batch",
        body: { ...scope, secrets: secretNames.map((secretName) => ({ secretName, type: "shared" })) },
        // A repeated batch delete fails as a whole on the first missing name; the caller falls back per item.
        idempotent: false,
      }),
  };
}
