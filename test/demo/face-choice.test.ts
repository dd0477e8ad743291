/** Which face the demo picks, and the INFISICAL_E2EE_DEMO_FACE override. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { chooseFace, FACE_SETTING } from "../../scripts/demo/face-choice";
import { ConfigError } from "../../src/provider/errors";

const cli = "/opt/cdktn-cli/bin/cdktn";

function probes(terraform: string | undefined, cdktn: string | undefined) {
  const asked: string[] = [];
  return {
    asked,
    findTerraform: () => {
      asked.push("terraform");
      return terraform;
    },
    findCdktn: () => {
      asked.push("cdktn");
      return cdktn;
    },
  };
}

test("face choice: terraform and the cdktn CLI pick the Terraform face", () => {
  assert.deepEqual(chooseFace({}, probes("/usr/bin/terraform", cli)), {
    face: "terraform",
    terraform: "/usr/bin/terraform",
    cdktn: cli,
  });
});

test("face choice: without terraform on PATH the Pulumi face runs, saying why; cdktn is not probed", () => {
  const p = probes(undefined, cli);
  assert.deepEqual(chooseFace({}, p), { face: "pulumi", reason: "`terraform` is not on PATH" });
  assert.deepEqual(p.asked, ["terraform"]);
});

test("face choice: terraform without the cdktn CLI falls back to the Pulumi face, saying how to get it", () => {
  assert.deepEqual(chooseFace({}, probes("/usr/bin/terraform", undefined)), {
    face: "pulumi",
    reason: "the cdktn CLI is not installed (`npm ci` installs it)",
  });
});

test("face choice: INFISICAL_E2EE_DEMO_FACE=pulumi forces the Pulumi face even with terraform present", () => {
  const p = probes("/usr/bin/terraform", cli);
  const choice = chooseFace({ [FACE_SETTING]: " Pulumi " }, p);
  assert.equal(choice.face, "pulumi");
  assert.match(choice.face === "pulumi" ? choice.reason : "", /INFISICAL_E2EE_DEMO_FACE=pulumi/);
  assert.deepEqual(p.asked, [], "forcing a face must not probe for terraform");
});

test("face choice: INFISICAL_E2EE_DEMO_FACE=terraform without terraform is a ConfigError, not a silent fallback", () => {
  assert.throws(
    () => chooseFace({ [FACE_SETTING]: "terraform" }, probes(undefined, undefined)),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.setting === FACE_SETTING &&
      /`terraform` is not on PATH/.test(error.message),
  );
  assert.equal(chooseFace({ [FACE_SETTING]: "terraform" }, probes("/usr/bin/terraform", cli)).face, "terraform");
});

test("face choice: an unknown INFISICAL_E2EE_DEMO_FACE value is a ConfigError naming the setting and the choices", () => {
  assert.throws(
    () => chooseFace({ [FACE_SETTING]: "ansible" }, probes("/usr/bin/terraform", cli)),
    (error: unknown) =>
      error instanceof ConfigError && error.setting === FACE_SETTING && /terraform, pulumi/.test(error.message),
  );
});
