/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected values are Terraform interpolations */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as cdktf from "cdktf";
import * as cdktn from "cdktn";
import type { Construct } from "constructs";
import { repoRoot } from "../../scripts/codegen/paths";
import * as legacyConstructs from "../../src/cdktf";
import * as mainConstructs from "../../src/cdktn";
import { lookups, resources } from "../../src/provider/registry";

/** A framework and the constructs generated for it. */
interface Kit {
  framework: typeof cdktn;
  constructs: typeof mainConstructs;
}

const KITS: Record<"cdktn" | "cdktf", Kit> = {
  cdktn: { framework: cdktn, constructs: mainConstructs },
  // The legacy flavor mirrors the main one line for line (generated-fresh.test.ts checks that), over
  // cdktf's classes, which TypeScript sees as other types: the same suite runs on it through this cast.
  cdktf: {
    framework: cdktf as unknown as typeof cdktn,
    constructs: legacyConstructs as unknown as typeof mainConstructs,
  },
};

interface SynthJson {
  terraform: { required_providers: Record<string, { source?: string; version?: string }> };
  provider: Record<string, Record<string, unknown>[]>;
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data: Record<string, Record<string, Record<string, unknown>>>;
  variable?: Record<string, Record<string, unknown>>;
  output?: Record<string, Record<string, unknown>>;
}

// Testing.app() and Testing.synthScope() make a /tmp/cdktf.outdir.* per app and never remove it:
// every app here gets its outdir under one folder that is removed after the tests.
const outdirs = mkdtempSync(join(tmpdir(), "infisical-e2ee-cdktf-synth-"));
after(() => rmSync(outdirs, { recursive: true, force: true }));

function only<T>(record: Record<string, T> | undefined): T {
  const values = Object.values(record ?? {});
  assert.equal(values.length, 1, "expected exactly one element");
  return values[0]!;
}

for (const [name, kit] of Object.entries(KITS)) {
  const { Fn, TerraformOutput, TerraformStack, Testing } = kit.framework;
  const {
    DataInfisicalE2eeAuditLogs,
    DataInfisicalE2eeProject,
    DataInfisicalE2eeSecrets,
    Environment,
    ephemeralVariable,
    Folder,
    InfisicalE2eeProvider,
    Project,
    ProjectMembership,
    ProjectRole,
    Secret,
    SecretTag,
    ServiceToken,
  } = kit.constructs;

  /** Terraform JSON text of a stack built by `build`, like Testing.synthScope but with our outdir. */
  const synthScope = (build: (scope: Construct) => void): string => {
    const app = Testing.app({ outdir: mkdtempSync(join(outdirs, "app-")) });
    const stack = new TerraformStack(app, "test");
    build(stack);
    return Testing.synth(stack);
  };
  const synthStack = (build: (scope: Construct) => void): SynthJson => JSON.parse(synthScope(build)) as SynthJson;

  describe(`${name} constructs synthesize Terraform JSON for the infisicale2ee provider`, () => {
    test("provider block: snake_case settings and the registry source", () => {
      const out = synthScope((scope) => {
        new InfisicalE2eeProvider(scope, "infisical", {
          host: "http://127.0.0.1:8080",
          serviceToken: "st.a.b.c",
          email: "admin@example.com",
          password: "pw",
        });
      });
      assert.ok(Testing.toHaveProvider(out, "infisicale2ee"));
      assert.ok(
        Testing.toHaveProviderWithProperties(out, "infisicale2ee", {
          host: "http://127.0.0.1:8080",
          service_token: "st.a.b.c",
          email: "admin@example.com",
          password: "pw",
        }),
      );
      const full = synthStack((scope) => new InfisicalE2eeProvider(scope, "p", { host: "h" }));
      const version = (JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8")) as { version: string })
        .version;
      assert.deepEqual(full.terraform.required_providers.infisicale2ee, {
        source: "infisical-e2ee/infisicale2ee",
        version: `>= ${version}`,
      });
      assert.deepEqual(full.provider.infisicale2ee, [{ host: "h" }]);
    });

    test("an aliased provider is referenced by resources that pick it", () => {
      const json = synthStack((scope) => {
        const second = new InfisicalE2eeProvider(scope, "second", { alias: "other", host: "h2" });
        new Environment(scope, "env", { projectId: "p1", name: "QA", slug: "qa", provider: second });
      });
      assert.deepEqual(json.provider.infisicale2ee, [{ alias: "other", host: "h2" }]);
      assert.equal(only(json.resource.infisicale2ee_environment).provider, "infisicale2ee.other");
    });

    test("secret: nested generate block, rotation trigger and defaults left to the provider", () => {
      const out = synthScope((scope) => {
        new Secret(scope, "db", {
          projectId: "p1",
          environment: "dev",
          key: "DB_PASSWORD",
          generate: { length: 40, symbols: true },
          rotationTrigger: "2026-11",
          createMissingFolders: true,
        });
      });
      assert.ok(
        Testing.toHaveResourceWithProperties(out, Secret.tfResourceType, {
          project_id: "p1",
          environment: "dev",
          key: "DB_PASSWORD",
          generate: { length: 40, symbols: true },
          rotation_trigger: "2026-11",
          create_missing_folders: true,
        }),
      );
      const secret = only(JSON.parse(out).resource.infisicale2ee_secret) as Record<string, unknown>;
      // Unset optional fields are omitted, so the provider applies the schema defaults.
      assert.equal(secret.path, undefined);
      assert.equal(secret.value, undefined);
      assert.equal("adopt" in secret, false, "adopt is Pulumi-only and must not reach Terraform");
    });

    test("secret: write-only value from an ephemeral variable, with its version", () => {
      const json = synthStack((scope) => {
        const wo = ephemeralVariable(scope, "api_key", { description: "API key" });
        new Secret(scope, "api", {
          projectId: "p1",
          environment: "dev",
          key: "API_KEY",
          valueWo: wo.stringValue,
          valueWoVersion: 2,
        });
      });
      const secret = only(json.resource.infisicale2ee_secret);
      assert.equal(secret.value_wo, "${var.api_key}");
      assert.equal(secret.value_wo_version, 2);
      assert.deepEqual(json.variable?.api_key, {
        type: "string",
        description: "API key",
        sensitive: true,
        ephemeral: true,
      });
    });

    test("references between constructs become Terraform interpolations", () => {
      const json = synthStack((scope) => {
        const project = new Project(scope, "proj", { name: "Demo" });
        const env = new Environment(scope, "env", { projectId: project.projectId, name: "QA", slug: "qa" });
        new ProjectMembership(scope, "bob", { projectId: project.projectId, email: "bob@example.com", role: "member" });
        const token = new ServiceToken(scope, "ci", {
          projectId: project.projectId,
          name: "ci",
          scopes: [{ environment: env.slug, secretPath: "/" }],
          permissions: ["read"],
          expiresIn: 3600,
        });
        new TerraformOutput(scope, "token", { value: token.token, sensitive: true });
        new TerraformOutput(scope, "first_env", { value: Fn.lookup(Fn.element(project.environments, 0), "slug") });
      });
      const env = only(json.resource.infisicale2ee_environment);
      assert.equal(env.project_id, "${infisicale2ee_project.proj.project_id}");
      const token = only(json.resource.infisicale2ee_service_token);
      assert.deepEqual(token.scopes, [{ environment: "${infisicale2ee_environment.env.slug}", secret_path: "/" }]);
      assert.equal(token.expires_in, 3600);
      assert.deepEqual(token.permissions, ["read"]);
      assert.equal(only(json.resource.infisicale2ee_project_membership).email, "bob@example.com");
      assert.deepEqual(json.output?.token, { value: "${infisicale2ee_service_token.ci.token}", sensitive: true });
      assert.match(String(json.output?.first_env?.value), /infisicale2ee_project\.proj\.environments/);
    });

    test("project role: permissions as a list of objects, referenced by a membership's role", () => {
      const json = synthStack((scope) => {
        const role = new ProjectRole(scope, "reader", {
          projectId: "p1",
          slug: "app-reader",
          name: "App reader",
          permissions: [
            { action: "read", subject: "secrets", environment: "dev", secretPath: "/app/**" },
            { action: "read", subject: "tags" },
          ],
        });
        new ProjectMembership(scope, "bob", { projectId: "p1", email: "bob@example.com", role: role.slug });
      });
      const role = only(json.resource.infisicale2ee_project_role);
      assert.deepEqual(role.permissions, [
        { action: "read", subject: "secrets", environment: "dev", secret_path: "/app/**" },
        { action: "read", subject: "tags" },
      ]);
      assert.equal(
        only(json.resource.infisicale2ee_project_membership).role,
        "${infisicale2ee_project_role.reader.slug}",
      );
    });

    test("folders: a secret placed by a folder's full_path, a subfolder by its parent's", () => {
      const json = synthStack((scope) => {
        const app = new Folder(scope, "app", { projectId: "p1", environment: "dev", name: "app" });
        const db = new Folder(scope, "db", {
          projectId: "p1",
          environment: "dev",
          path: app.fullPath,
          name: "db",
          forceDelete: true,
        });
        new Secret(scope, "url", { projectId: "p1", environment: "dev", path: db.fullPath, key: "URL", value: "x" });
      });
      const folders = json.resource.infisicale2ee_folder!;
      assert.deepEqual(folders.app, { project_id: "p1", environment: "dev", name: "app" });
      assert.equal(folders.db!.path, "${infisicale2ee_folder.app.full_path}");
      assert.equal(folders.db!.force_delete, true);
      assert.equal(only(json.resource.infisicale2ee_secret).path, "${infisicale2ee_folder.db.full_path}");
    });

    test("setters and resets change what is synthesized", () => {
      const json = synthStack((scope) => {
        const s = new Secret(scope, "s", { projectId: "p", environment: "dev", key: "A", value: "x", comment: "c" });
        s.key = "B";
        s.resetComment();
        assert.equal(s.keyInput, "B");
      });
      const secret = only(json.resource.infisicale2ee_secret);
      assert.equal(secret.key, "B");
      assert.equal(secret.comment, undefined);
    });

    test("data sources: secrets, project and audit logs", () => {
      const out = synthScope((scope) => {
        const project = new DataInfisicalE2eeProject(scope, "p", { slug: "demo-project" });
        const list = new DataInfisicalE2eeSecrets(scope, "s", { projectId: project.projectId, environment: "dev" });
        new DataInfisicalE2eeAuditLogs(scope, "a", {
          projectId: project.projectId,
          eventType: "create-secret",
          limit: 5,
        });
        new TerraformOutput(scope, "all", { value: list.secrets, sensitive: true });
      });
      assert.ok(
        Testing.toHaveDataSourceWithProperties(out, DataInfisicalE2eeProject.tfResourceType, { slug: "demo-project" }),
      );
      assert.ok(
        Testing.toHaveDataSourceWithProperties(out, DataInfisicalE2eeSecrets.tfResourceType, {
          project_id: "${data.infisicale2ee_project.p.project_id}",
          environment: "dev",
        }),
      );
      assert.ok(
        Testing.toHaveDataSourceWithProperties(out, DataInfisicalE2eeAuditLogs.tfResourceType, {
          event_type: "create-secret",
          limit: 5,
        }),
      );
      assert.equal(Testing.toHaveDataSource(out, "infisicale2ee_secret"), false);
    });

    test("import: generateConfigForImport and importFrom emit Terraform import blocks", () => {
      const json = synthStack((scope) => {
        const env = new Environment(scope, "env", { projectId: "p1", name: "QA", slug: "qa" });
        env.importFrom("p1:qa");
      }) as SynthJson & { import?: unknown[] };
      assert.deepEqual(json.import, [{ to: "infisicale2ee_environment.env", id: "p1:qa" }]);
    });

    test("a secret tag and a secret whose tag_ids reference it", () => {
      const json = synthStack((scope) => {
        const tag = new SecretTag(scope, "db", { projectId: "p1", name: "Database", slug: "db" });
        new Secret(scope, "s", { projectId: "p1", environment: "dev", key: "K", value: "v", tagIds: [tag.id] });
      });
      assert.deepEqual(json.resource.infisicale2ee_secret_tag?.db, { project_id: "p1", name: "Database", slug: "db" });
      assert.deepEqual(json.resource.infisicale2ee_secret?.s?.tag_ids, ["${infisicale2ee_secret_tag.db.id}"]);
    });

    test("every registry entry has a construct with the Terraform type derived from its name", () => {
      const classes: Record<string, { tfResourceType: string }> = {
        secret: Secret,
        environment: Environment,
        projectMembership: ProjectMembership,
        project: Project,
        serviceToken: ServiceToken,
        secretTag: SecretTag,
        projectRole: ProjectRole,
        folder: Folder,
        secretImport: kit.constructs.SecretImport,
      };
      assert.deepEqual(Object.keys(resources).sort(), Object.keys(classes).sort());
      assert.equal(classes.secretTag!.tfResourceType, "infisicale2ee_secret_tag");
      assert.equal(classes.projectMembership!.tfResourceType, "infisicale2ee_project_membership");
      assert.equal(classes.serviceToken!.tfResourceType, "infisicale2ee_service_token");
      assert.equal(classes.folder!.tfResourceType, "infisicale2ee_folder");
      assert.deepEqual(Object.keys(lookups).sort(), ["auditLogs", "project", "projectMembers", "secrets"]);
      assert.equal(DataInfisicalE2eeAuditLogs.tfResourceType, "infisicale2ee_audit_logs");
    });
  });
}

/** The same stack in both flavors: a provider, an environment and secrets of every kind. */
function fullStackJson(kit: Kit): unknown {
  const { Testing, TerraformStack } = kit.framework;
  const { Environment, ephemeralVariable, InfisicalE2eeProvider, Secret } = kit.constructs;
  const app = Testing.app({ outdir: mkdtempSync(join(outdirs, "app-")) });
  const stack = new TerraformStack(app, "same");
  new InfisicalE2eeProvider(stack, "p", { host: "h" });
  const env = new Environment(stack, "env", { projectId: "p1", name: "QA", slug: "qa" });
  const wo = ephemeralVariable(stack, "api_key");
  new Secret(stack, "a", {
    projectId: "p1",
    environment: env.slug,
    key: "A",
    valueWo: wo.stringValue,
    valueWoVersion: 1,
  });
  new Secret(stack, "b", { projectId: "p1", environment: env.slug, key: "B", generate: { length: 20 } });
  return JSON.parse(Testing.synth(stack));
}

test("cdktn and cdktf constructs synthesize the same Terraform JSON", () => {
  assert.deepEqual(fullStackJson(KITS.cdktn), fullStackJson(KITS.cdktf));
});

describe("cdktn: write-only values and the app's targetVersions", () => {
  const { Testing, TerraformStack } = cdktn;
  const { InfisicalE2eeProvider, Secret, ephemeralVariable } = mainConstructs;
  function synthWithValidations(targetVersions: Record<string, string> | undefined, writeOnly: boolean): string {
    const app = Testing.app({
      outdir: mkdtempSync(join(outdirs, "app-")),
      context: targetVersions ? { targetVersions } : {},
    });
    const stack = new TerraformStack(app, "wo");
    new InfisicalE2eeProvider(stack, "p");
    const value = writeOnly
      ? { valueWo: ephemeralVariable(stack, "k").stringValue, valueWoVersion: 1 }
      : { value: "x" };
    new Secret(stack, "s", { projectId: "p1", environment: "dev", key: "K", ...value });
    return Testing.synth(stack, true);
  }

  test("synth accepts a write-only value when the app targets Terraform >= 1.11", () => {
    const json = JSON.parse(synthWithValidations({ terraform: ">=1.11.0" }, true));
    assert.equal(
      only(json.resource.infisicale2ee_secret as Record<string, Record<string, unknown>>).value_wo,
      "${var.k}",
    );
  });

  test("synth refuses a write-only value when the app may run on a Terraform without write-only attributes", () => {
    assert.throws(
      () => synthWithValidations({ terraform: ">=1.5.7" }, true),
      /\[wo\/s\] write-only attributes requires terraform >=1.11.0, but the project targets terraform >=1.5.7/,
    );
    assert.throws(
      () => synthWithValidations(undefined, true),
      /\[wo\/s\] write-only attributes requires terraform >=1.11.0/,
    );
  });

  test("a plain value needs no particular Terraform version", () => {
    assert.doesNotThrow(() => synthWithValidations(undefined, false));
  });
});

// Secret imports (#17): the resource and `include_imports` synthesize in both flavors.
for (const [name, kit] of Object.entries(KITS)) {
  const { TerraformOutput, TerraformStack, Testing } = kit.framework;
  const { DataInfisicalE2eeSecrets, SecretImport } = kit.constructs;
  test(`${name}: SecretImport and the secrets data source with includeImports`, () => {
    const app = Testing.app({ outdir: mkdtempSync(join(outdirs, "app-")) });
    const stack = new TerraformStack(app, "test");
    const imported = new SecretImport(stack, "dev-from-prod", {
      projectId: "p1",
      environment: "dev",
      importEnvironment: "prod",
      importPath: "/shared",
    });
    const effective = new DataInfisicalE2eeSecrets(stack, "effective", {
      projectId: "p1",
      environment: "dev",
      includeImports: true,
      dependsOn: [imported],
    });
    new TerraformOutput(stack, "position", { value: imported.position });
    new TerraformOutput(stack, "values", { value: effective.values, sensitive: true });
    const json = JSON.parse(Testing.synth(stack)) as SynthJson;
    assert.equal(SecretImport.tfResourceType, "infisicale2ee_secret_import");
    assert.deepEqual(only(json.resource.infisicale2ee_secret_import), {
      project_id: "p1",
      environment: "dev",
      import_environment: "prod",
      import_path: "/shared",
    });
    const data = only(json.data.infisicale2ee_secrets);
    assert.equal(data.include_imports, true);
    assert.deepEqual(data.depends_on, ["infisicale2ee_secret_import.dev-from-prod"]);
    assert.equal(json.output?.position?.value, "${infisicale2ee_secret_import.dev-from-prod.position}");
  });
}
