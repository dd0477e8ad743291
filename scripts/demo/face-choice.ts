/**
 * Which face tells the demo's story: Terraform through CDK Terrain (`cdktn`) when `terraform` is
 * on PATH and the cdktn CLI is installed, else the Pulumi face in the SDK's provider host.
 * INFISICAL_E2EE_DEMO_FACE (`terraform` or `pulumi`) forces one.
 */
import { ConfigError } from "../../src/provider/errors";

export const FACE_SETTING = "INFISICAL_E2EE_DEMO_FACE";
const FACES = ["terraform", "pulumi"] as const;
export type FaceName = (typeof FACES)[number];

export type FaceChoice<Cli> =
  | { face: "terraform"; terraform: string; cdktn: Cli }
  | {
      face: "pulumi";
      /** Why not Terraform, in a sentence for the user. */
      reason: string;
    };

export interface FaceProbes<Cli> {
  /** The terraform binary on PATH, if any. */
  findTerraform: () => string | undefined;
  /** The cdktn CLI, if installed (asked only once terraform was found). */
  findCdktn: () => Cli | undefined;
}

export function chooseFace<Cli>(env: NodeJS.ProcessEnv, probes: FaceProbes<Cli>): FaceChoice<Cli> {
  const forced = env[FACE_SETTING]?.trim().toLowerCase() || undefined;
  if (forced !== undefined && !(FACES as readonly string[]).includes(forced)) {
    throw new ConfigError(
      FACE_SETTING,
      `expected one of ${FACES.join(", ")}`,
      `Unset it or set it to ${FACES.join(" or ")}.`,
    );
  }
  if (forced === "pulumi") return { face: "pulumi", reason: `${FACE_SETTING}=pulumi asks for the Pulumi face` };
  const terraform = probes.findTerraform();
  const cdktn = terraform ? probes.findCdktn() : undefined;
  if (terraform && cdktn) return { face: "terraform", terraform, cdktn };
  const why = terraform ? "the cdktn CLI is not installed (`npm ci` installs it)" : "`terraform` is not on PATH";
  if (forced === "terraform") {
    throw new ConfigError(
      FACE_SETTING,
      `the Terraform face was asked for, but ${why}`,
      "Install terraform 1.11+ or unset it.",
    );
  }
  return { face: "pulumi", reason: why };
}
