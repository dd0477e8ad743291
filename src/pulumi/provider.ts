/**
 * The dynamic provider that Pulumi stores in state as the `__provider` input of every resource.
 *
 * Pulumi's host loads that text with require-from-string and calls `exports.handler()` to get the
 * ResourceProvider object. We write the text ourselves instead of letting the SDK's closure
 * serializer capture a JavaScript object: the serializer wraps each method in ~200 bytes of
 * scaffolding (2.3 KB at best for seven methods) and its output format may change with SDK
 * releases, while this text is ~0.8 KB and identical for every package and SDK version. Each
 * method requires the installed package at run time (resolved from the project directory, where
 * the host runs) and forwards by resource name, the only value the text holds. The exported
 * functions of `runtime.ts` are therefore a compatibility contract: never rename them or change
 * their arguments, or state written by older versions can no longer refresh or destroy.
 */
import { InternalError } from "../provider/errors";

/** The module the stored provider requires at run time; a package export, never a path. */
export const RUNTIME_MODULE = "infisical-e2ee/pulumi/runtime";

/** The `__provider` text for one core resource (`secret`, `environment`, ...). */
export function providerText(resourceName: string): string {
  if (!/^[a-zA-Z]+$/.test(resourceName))
    throw new InternalError(`invalid resource name ${JSON.stringify(resourceName)}`);
  return `exports.handler = function () {
  var name = "${resourceName}";
  function runtime() { return require("${RUNTIME_MODULE}"); }
  return {
    configure: function (req) { return runtime().configure(req); },
    check: function (olds, news) { return runtime().check(name, olds, news); },
    diff: function (id, olds, news) { return runtime().diff(name, id, olds, news); },
    create: function (inputs) { return runtime().create(name, inputs); },
    read: function (id, props) { return runtime().read(name, id, props); },
    update: function (id, olds, news) { return runtime().update(name, id, olds, news); },
    delete: function (id, props) { return runtime().delete(name, id, props); }
  };
};
`;
}
