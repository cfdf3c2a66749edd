import { createHmac, randomBytes } from "node:crypto"
import { describe, expect, it } from "vitest"
import { bearer, redactSecrets, secretFromOutput } from "../src/database.js"
import { ANALYTICS_ROLES, checkKey, type KeyRow, keysById, otherBranch, type Role } from "../src/floor/keys.js"

/** A key as `npm run keys -- create` makes one: its secret, and its row as the floor loads it. */
const makeKey = (role: Role, branch_id: number | null = null) => {
  const id = randomBytes(6).toString("hex")
  const secret = `icash_${id}_${randomBytes(32).toString("base64url")}`
  const salt = randomBytes(16)
  const row: KeyRow = {
    id,
    role,
    branch_id,
    salt: salt.toString("hex"),
    secret_hash: createHmac("sha256", salt).update(secret).digest("hex")
  }
  return { id, secret, row }
}

describe("the floor's key check", () => {
  const admin = makeKey("admin")
  const register = makeKey("register", 2)
  const analyst = makeKey("analyst")
  const keys = keysById([admin.row, register.row, analyst.row])

  it("lets a key with its own secret through", () => {
    const access = checkKey(keys, `Bearer ${admin.secret}`)
    expect(access._tag).toBe("Allowed")
    expect(access._tag === "Allowed" && access.key.id).toBe(admin.id)
    expect(checkKey(keys, `bearer  ${register.secret} `)._tag).toBe("Allowed")
  })

  it("refuses a wrong secret for a known id", () => {
    const wrong = `icash_${admin.id}_${randomBytes(32).toString("base64url")}`
    expect(checkKey(keys, `Bearer ${wrong}`)).toEqual({ _tag: "Unauthorized", message: "unknown or revoked API key" })
    // another key's secret under this key's id
    const swapped = register.secret.replace(register.id, admin.id)
    expect(checkKey(keys, `Bearer ${swapped}`)._tag).toBe("Unauthorized")
  })

  it("refuses no header, another scheme, an unknown id and a malformed secret", () => {
    expect(checkKey(keys, undefined)._tag).toBe("Unauthorized")
    expect(checkKey(keys, "  ")._tag).toBe("Unauthorized")
    expect(checkKey(keys, `Basic ${admin.secret}`)._tag).toBe("Unauthorized")
    expect(checkKey(keys, admin.secret)._tag).toBe("Unauthorized")
    expect(checkKey(keys, `Bearer ${makeKey("admin").secret}`)._tag).toBe("Unauthorized")
    expect(checkKey(keys, `Bearer ${admin.secret}x`)._tag).toBe("Unauthorized")
    expect(checkKey(keys, "Bearer ")._tag).toBe("Unauthorized")
    expect(checkKey(new Map(), `Bearer ${admin.secret}`)._tag).toBe("Unauthorized")
  })

  it("refuses an analyst key (403) and a register key for another branch", () => {
    expect(checkKey(keys, `Bearer ${analyst.secret}`)._tag).toBe("Forbidden")
    const access = checkKey(keys, `Bearer ${register.secret}`)
    if (access._tag !== "Allowed") throw new Error(access.message)
    expect(otherBranch(access.key, 2)).toBeUndefined()
    expect(otherBranch(access.key, 3)).toMatch(/belongs to branch 2/)
    const adminAccess = checkKey(keys, `Bearer ${admin.secret}`)
    if (adminAccess._tag !== "Allowed") throw new Error(adminAccess.message)
    expect(otherBranch(adminAccess.key, 3)).toBeUndefined()
  })

  it("lets analyst and admin keys read the analytics, and refuses a register key (403)", () => {
    expect(checkKey(keys, `Bearer ${analyst.secret}`, ANALYTICS_ROLES)._tag).toBe("Allowed")
    expect(checkKey(keys, `Bearer ${admin.secret}`, ANALYTICS_ROLES)._tag).toBe("Allowed")
    expect(checkKey(keys, `Bearer ${register.secret}`, ANALYTICS_ROLES)).toEqual({
      _tag: "Forbidden",
      message: "a register key may not use this endpoint; it takes an analyst or an admin key"
    })
    expect(checkKey(keys, undefined, ANALYTICS_ROLES)._tag).toBe("Unauthorized")
  })
})

describe("the keys CLI's output", () => {
  const secret = `icash_0123456789ab_${"x".repeat(43)}`

  it("gives the secret on its last line", () => {
    const output = `Made admin key 0123456789ab (bench).\nIts secret, shown this once:\n${secret}\n`
    expect(secretFromOutput(output)).toEqual({ id: "0123456789ab", secret })
    expect(bearer(secretFromOutput(output))).toEqual({ authorization: `Bearer ${secret}` })
  })

  it("fails without a secret, and never shows one in its message", () => {
    expect(() => secretFromOutput("keys: no branch 9\n")).toThrow(/did not end with a secret/)
    let message = ""
    try {
      secretFromOutput(`${secret}\nsomething after it\n`)
    } catch (error) {
      message = String(error)
    }
    expect(message).toMatch(/did not end with a secret/)
    expect(message).not.toContain(secret)
    expect(redactSecrets(`a ${secret} b`)).toBe("a icash_<redacted> b")
  })
})
