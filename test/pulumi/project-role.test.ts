/**
 * ProjectRole through Pulumi's own dynamic-provider host over gRPC: the inputs the class
 * registers are checked (bad rules fail naming the field), created, given to a member by slug,
 * previewed again as a no-op, updated in place, refreshed after outside changes (drift, then
 * deletion as id ''), and deleted, against the embedded server.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { bootstrap, inviteMember } from "../../src/provider/bootstrap";
import { openSession } from "../../src/provider/session";
import type { Session } from "../../src/provider/session/types";
import type * as Face from "../../src/pulumi/index";
import { type RunningServer, startServer } from "../../src/server";
import { DIFF, ProviderHost, secret, urnOf } from "./host";
import { captureRegistrations, type Registration } from "./registrations";

const ADMIN = { email: "admin@example.com", password: "role-admin-password-1" };
const MEMBER = { email: "member@example.com", password: "role-member-password-1" };

let server: RunningServer;
let host: ProviderHost;
let admin: Session;
let projectId: string;
let projectSlug: string;
let registered: Map<string, Registration>;

const ROLE_URN = urnOf("ProjectRole", "app-reader");
const MEMBER_URN = urnOf("ProjectMembership", "member");
let role: { id: string; inputs: Record<string, unknown>; state: Record<string, unknown> };
let membership: { id: string; state: Record<string, unknown> };

async function freshHost(): Promise<ProviderHost> {
  const started = await ProviderHost.start();
  await started.configure({
    "infisical-e2ee:host": server.url,
    "infisical-e2ee:email": ADMIN.email,
    "infisical-e2ee:password": secret(ADMIN.password),
  });
  return started;
}

before(async () => {
  server = await startServer({ port: 0 });
  projectId = (await bootstrap({ host: server.url, ...ADMIN, projectName: "pulumi-roles" })).projectId;
  await inviteMember({ host: server.url, adminEmail: ADMIN.email, adminPassword: ADMIN.password, ...MEMBER });
  admin = openSession({ host: server.url, ...ADMIN }, { env: {} });
  projectSlug = (await admin.api.projects.get(projectId)).workspace!.slug;
  registered = await captureRegistrations(async () => {
    const infisical: typeof Face = require("../../src/pulumi/index");
    return [
      new infisical.ProjectRole("app-reader", {
        projectId,
        slug: "app-reader",
        name: "App reader",
        permissions: [
          { action: "read", subject: "secrets", environment: "dev", secretPath: "/app/**" },
          { action: "read", subject: "tags" },
        ],
      }),
      new infisical.ProjectMembership("member", { projectId, email: MEMBER.email, role: "app-reader" }),
    ];
  });
  host = await freshHost();
});

after(async () => {
  await host?.close();
  await admin?.close();
  await server?.close();
});

test("check: a bad rule fails naming the field, before any request", async () => {
  const inputs = registered.get("app-reader")!.inputs;
  const bad = await host.check(
    ROLE_URN,
    {},
    {
      ...inputs,
      permissions: [
        { action: "read", subject: "everything" },
        { action: "read", subject: "tags", secretPath: "/x" },
      ],
    },
  );
  assert.deepEqual(
    bad.failures.map((f) => f.property),
    ["permissions[0].subject"],
  );
  const conditioned = await host.check(
    ROLE_URN,
    {},
    {
      ...inputs,
      permissions: [{ action: "read", subject: "tags", secretPath: "/x" }],
    },
  );
  assert.deepEqual(
    conditioned.failures.map((f) => f.property),
    ["permissions[0].secretPath"],
  );
});

test("create the role and give it to a member by slug; the server stores both as the real one does", async () => {
  const checked = await host.check(ROLE_URN, {}, registered.get("app-reader")!.inputs);
  assert.deepEqual(checked.failures, []);
  const created = await host.create(ROLE_URN, checked.inputs);
  role = { id: created.id, inputs: checked.inputs, state: created.properties };
  assert.deepEqual(created.properties.permissions, [
    { action: "read", subject: "secrets", environment: "dev", secretPath: "/app/**" },
    { action: "read", subject: "tags" },
  ]);
  const onServer = await admin.api.roles.getBySlug(projectSlug, "app-reader");
  assert.equal(onServer.role.id, created.id);

  const memberChecked = await host.check(MEMBER_URN, {}, registered.get("member")!.inputs);
  assert.deepEqual(memberChecked.failures, []);
  const member = await host.create(MEMBER_URN, memberChecked.inputs);
  membership = { id: member.id, state: member.properties };
  assert.equal(member.properties.role, "app-reader");
  const listed = (await admin.api.memberships.list(projectId)).memberships.find((m) => m.id === member.id);
  assert.equal(listed?.roles[0]?.role, "custom");
  assert.equal(listed?.roles[0]?.customRoleSlug, "app-reader");
});

test("a second preview is a no-op for both", async () => {
  const preview = await freshHost();
  try {
    const roleDiff = await preview.diff(ROLE_URN, role.id, role.state, role.inputs);
    assert.equal(roleDiff.changes, DIFF.NONE);
    const refreshed = await preview.read(ROLE_URN, role.id, role.state, role.inputs);
    assert.deepEqual(refreshed.properties, role.state, "refresh reads back exactly what was written");
    const memberDiff = await preview.diff(
      MEMBER_URN,
      membership.id,
      membership.state,
      registered.get("member")!.inputs,
    );
    assert.equal(memberDiff.changes, DIFF.NONE);
  } finally {
    await preview.close();
  }
});

test("changing the rules updates in place (PATCH sends the whole list)", async () => {
  const news = {
    ...role.inputs,
    description: "now also staging",
    permissions: [
      { action: "read", subject: "secrets", environment: "staging", secretPath: "/app/**" },
      { action: "read", subject: "secrets", environment: "dev", secretPath: "/app/**" },
    ],
  };
  const checked = await host.check(ROLE_URN, role.inputs, news);
  const diff = await host.diff(ROLE_URN, role.id, role.state, checked.inputs);
  assert.deepEqual([diff.changes, diff.replaces], [DIFF.SOME, []]);
  const updated = await host.update(ROLE_URN, role.id, role.state, checked.inputs);
  role = { id: role.id, inputs: checked.inputs, state: updated.properties };
  const onServer = await admin.api.roles.getBySlug(projectSlug, "app-reader");
  assert.equal(onServer.role.description, "now also staging");
  assert.deepEqual(
    onServer.role.permissions?.map((p) => p.conditions?.environment),
    ["staging", "dev"],
    "order kept",
  );
  assert.equal((await host.diff(ROLE_URN, role.id, role.state, role.inputs)).changes, DIFF.NONE);
});

test("refresh: a rename outside is drift; a deletion outside reads as gone (id '')", async () => {
  await admin.api.roles.update(projectSlug, role.id, { slug: "renamed-outside", permissions: [] });
  const refresh = await freshHost();
  try {
    const read = await refresh.read(ROLE_URN, role.id, role.state, role.inputs);
    assert.equal(read.id, role.id, "found by id after the slug changed");
    assert.equal(read.properties.slug, "renamed-outside");
    assert.deepEqual(read.properties.permissions, []);
    const diff = await refresh.diff(ROLE_URN, role.id, read.properties, role.inputs);
    assert.equal(diff.changes, DIFF.SOME);
    // The member still holds it, so delete the membership first (as the engine does, by dependency).
    await refresh.delete(MEMBER_URN, membership.id, membership.state);
    await admin.api.roles.delete(projectSlug, role.id);
    assert.equal((await refresh.read(ROLE_URN, role.id, role.state, role.inputs)).id, "");
    // Deleting what is already gone counts as done.
    await refresh.delete(ROLE_URN, role.id, role.state);
  } finally {
    await refresh.close();
  }
});
