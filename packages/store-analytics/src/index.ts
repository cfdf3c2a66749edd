export * from "./Analytics.js"
export * from "./Cursor.js"
export * from "./Http.js"
