import type { FieldFailure } from "../../errors";
import { num, objList, str } from "../../schema/fields";
import { defineLookup } from "../../schema/lookup";
import { integerBetween, validateId, validateIsoDate } from "../validation";

export const MAX_AUDIT_LOG_LIMIT = 1000;

// Inner fields carry no flags: the list itself is computed.
export const auditLogEntryFields = {
  id: str({ doc: "Audit log entry ID." }),
  eventType: str({ doc: "Event type, e.g. `create-secret`." }),
  actorType: str({ doc: "`user` or `service`." }),
  actorId: str({ doc: "User ID or service token ID of the actor." }),
  actorEmail: str({ doc: "Email of the user actor, empty for service tokens." }),
  secretId: str({ doc: "ID of the secret the event concerns, when there is one." }),
  secretKey: str({
    doc: "Name of the secret the event concerns, when the server records it (Infisical does; the embedded server keeps names out of its log).",
  }),
  environment: str({ doc: "Environment slug the event concerns, when there is one." }),
  ipAddress: str({ doc: "Client IP address the server recorded." }),
  userAgent: str({ doc: "Client User-Agent the server recorded." }),
  createdAt: str({ doc: "When it happened (ISO-8601)." }),
};

export const auditLogs = defineLookup({
  name: "auditLogs",
  doc: "A project's audit log, newest first, as the server records it (event metadata names secrets, never values).",
  args: {
    projectId: str({ required: true, validate: validateId, doc: "ID of the project." }),
    eventType: str({
      optional: true,
      validate: (v) => (/^[a-z0-9-]+$/.test(v) ? undefined : "must be an event type like create-secret"),
      doc: "Only events of this type, e.g. `create-secret`, `update-secret`, `delete-secret`, `add-workspace-members`.",
    }),
    actor: str({
      optional: true,
      validate: (v) =>
        /^(user|service)-[A-Za-z0-9_-]+$/.test(v) ? undefined : "must be user-<userId> or service-<tokenId>",
      doc: "Only events by this actor: `user-<userId>` or `service-<serviceTokenId>`.",
    }),
    startDate: str({ optional: true, validate: validateIsoDate, doc: "Only events at or after this time (ISO-8601)." }),
    endDate: str({ optional: true, validate: validateIsoDate, doc: "Only events at or before this time (ISO-8601)." }),
    limit: num({
      default: 20,
      validate: integerBetween(1, MAX_AUDIT_LOG_LIMIT),
      doc: `Maximum number of entries (1–${MAX_AUDIT_LOG_LIMIT}).`,
    }),
  },
  results: {
    entries: objList(auditLogEntryFields, { computed: true, doc: "Matching entries, newest first." }),
  },
  check(args): FieldFailure[] {
    const { startDate, endDate } = args;
    if (typeof startDate === "string" && typeof endDate === "string" && Date.parse(startDate) > Date.parse(endDate)) {
      return [{ path: "endDate", reason: "must not be before startDate" }];
    }
    return [];
  },
  async read(ctx, args) {
    const { auditLogs: logs } = await ctx.session.api.auditLogs.query(args.projectId, {
      eventType: args.eventType,
      actor: args.actor,
      startDate: args.startDate,
      endDate: args.endDate,
      limit: args.limit,
      offset: 0,
    });
    const text = (value: unknown) => (typeof value === "string" ? value : "");
    return {
      entries: logs.map((log) => {
        const actor = log.actor.metadata ?? {};
        const event = log.event.metadata ?? {};
        return {
          id: log.id,
          eventType: log.event.type,
          actorType: log.actor.type,
          actorId: text(actor.userId) || text(actor.serviceId),
          actorEmail: text(actor.email),
          secretId: text(event.secretId),
          secretKey: text(event.secretKey),
          environment: text(event.environment),
          ipAddress: log.ipAddress ?? "",
          userAgent: log.userAgent ?? "",
          createdAt: log.createdAt,
        };
      }),
    };
  },
});
