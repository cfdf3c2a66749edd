export * from "./InMemoryDatabase.js"
export * from "./TestDatabase.js"
