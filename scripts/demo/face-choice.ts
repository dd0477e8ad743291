/**
 * Which face tells the demo's story: Terraform/CDKTF when `terraform` and a Node that runs the
 * cdktf CLI are here, else the Pulumi face in the SDK's provider host. INFISICAL_E2EE_DEMO_FACE
 * (`terraform` or `pulumi`) forces one.
 */
import { ConfigError } from "../../src/provider/errors";

export const FACE_SETTING = "INFISICAL_E2EE_DEMO_FACE";
const FACES = ["terraform", "pulumi"] as const;
export type FaceName = (typeof FACES)[number];

export type FaceChoice<Cli> =
  | { face: "terraform"; terraform: string; cdktf: Cli }
  | {
      face: "pulumi";
      /** Why not Terraform, in a sentence for the user. */
      reason: string;
    };

export interface FaceProbes<Cli> {
  /** The terraform binary on PATH, if any. */
  findTerraform: () => string | undefined;
  /** A runnable cdktf CLI, if any (asked only once terraform was found). */
  findCdktf: () => Cli | undefined;
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
  const cdktf = terraform ? probes.findCdktf() : undefined;
  if (terraform && cdktf) return { face: "terraform", terraform, cdktf };
  const why = terraform ? "the cdktf CLI cannot run here" : "`terraform` is not on PATH";
  if (forced === "terraform") {
    throw new ConfigError(
      FACE_SETTING,
      `the Terraform face was asked for, but ${why}`,
      "Install terraform 1.11+ or unset it.",
    );
  }
  return { face: "pulumi", reason: why };
}
