import { HttpApi, HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"

/**
 * The API's Swagger UI at `path`, built for each request from a module loaded on the first one. The
 * page holds all of Swagger UI (2 MB of JavaScript, 3.5 MB of heap once built) and is only opened
 * by hand, so a service does not carry it from its start (`HttpApiSwagger.layer` builds it then).
 */
export const docsLive = (path: `/${string}`) =>
  HttpApiBuilder.Router.use((router) =>
    Effect.flatMap(HttpApi.Api, ({ api }) =>
      router.get(
        path,
        Effect.flatMap(Effect.promise(() => import("./SwaggerPage.js")), (page) => page.swaggerPage(api, path))
      ))
  )
