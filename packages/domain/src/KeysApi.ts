import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { AdminRole } from "./Access.js"
import { ApiKey, ApiKeyId, CreatedApiKey, NewApiKey } from "./ApiKeys.js"
import { ApiKeyNotFound, UnknownBranch } from "./Errors.js"

/** Managing API keys over HTTP: what `npm run keys` does, for admin keys. */
export class KeysGroup extends HttpApiGroup.make("keys")
  .add(
    HttpApiEndpoint.get("list", "/keys")
      .addSuccess(Schema.Array(ApiKey))
      .annotate(OpenApi.Summary, "List API keys")
      .annotate(
        OpenApi.Description,
        "Every key, revoked ones included, oldest first: its role, branch, name and when it was made, last used " +
          "and revoked. Never a secret: only their hashes are stored."
      )
  )
  .add(
    HttpApiEndpoint.post("create", "/keys")
      .setPayload(NewApiKey)
      .addSuccess(CreatedApiKey, { status: 201 })
      .addError(UnknownBranch)
      .annotate(OpenApi.Summary, "Make an API key")
      .annotate(
        OpenApi.Description,
        "Makes a key of a role: a register key names its branch (branch_id), an analyst or admin key none (400 " +
          "otherwise; 422 for a branch that does not exist). The answer holds the secret, shown this once."
      )
  )
  .add(
    HttpApiEndpoint.del("revoke")`/keys/${HttpApiSchema.param("id", ApiKeyId)}`
      .addSuccess(ApiKey)
      .addError(ApiKeyNotFound)
      .annotate(OpenApi.Summary, "Revoke an API key")
      .annotate(
        OpenApi.Description,
        "Every running service refuses the key within a second (401). Answers the key with its revocation time; " +
          "revoking a revoked key keeps its first time."
      )
  )
  .middleware(AdminRole)
  .annotate(OpenApi.Title, "API keys")
  .annotate(OpenApi.Description, "An admin key makes, lists and revokes API keys.") {}
