import { PlatformConfigProvider } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { Layer } from "effect"

/**
 * Configuration comes from the environment, then from a `.env` file in the working directory when
 * there is one: a variable set in the environment always wins.
 */
export const DotEnvLive = PlatformConfigProvider.layerDotEnvAdd(".env").pipe(Layer.provide(NodeFileSystem.layer))
