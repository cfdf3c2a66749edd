export * from "./Analytics.js"
export * from "./Cursor.js"
export * from "./FiguresFeed.js"
export * from "./Http.js"
