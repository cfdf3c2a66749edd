export * from "./WebConfig.js"
export * from "./WebServer.js"
