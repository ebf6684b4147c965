import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { keyId } from "../src/auth/jwt";
import { verifyPassword } from "../src/auth/password";
import { call, createUser, del, expectProblem, get, post, uniqueEmail } from "./helpers";

const jwtSecret = env.JWT_SECRET ?? "";
const secret = new TextEncoder().encode(jwtSecret);
// Each crafted token names the current key, so it is refused for its own flaw and not for a missing kid.
const kid = await keyId(jwtSecret);
const b64url = (o: unknown) =>
	btoa(JSON.stringify(o)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

const claims = (sub: string) => ({ sub, iss: env.JWT_ISSUER, aud: env.JWT_AUDIENCE });

describe("register", () => {
	it("creates a jugador and never returns password material", async () => {
		const email = uniqueEmail("juan");
		const res = await post("/api/v1/auth/register", {
			nombre: "Juan Perez",
			email,
			password: "Secret123!",
			telefono: "+57 300 123 4567",
		});
		expect(res.status).toBe(201);
		expect(res.body).toMatchObject({
			nombre: "Juan Perez",
			email,
			rol: "jugador",
			is_active: true,
		});
		expect(res.text).not.toMatch(/password|hash|pbkdf2/i);
		expect(res.headers.get("Location")).toBe(`/api/v1/users/${res.body.id}`);

		const row = await env.DB.prepare("SELECT hashed_password FROM users WHERE id = ?")
			.bind(res.body.id)
			.first<{ hashed_password: string }>();
		expect(row?.hashed_password).toMatch(
			/^pbkdf2_sha256\$100000\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/,
		);
		expect(await verifyPassword("Secret123!", row?.hashed_password ?? "")).toBe(true);
	});

	it("stores the email in lower case and rejects it again in any letter case with 409", async () => {
		const email = uniqueEmail("Maria").replace("maria", "MaRiA");
		const first = await post("/api/v1/auth/register", {
			nombre: "María",
			email,
			password: "Secret123!",
		});
		expect(first.status).toBe(201);
		expect(first.body.email).toBe(email.toLowerCase());
		for (const variant of [email.toUpperCase(), email.toLowerCase(), ` ${email} `]) {
			const again = await post("/api/v1/auth/register", {
				nombre: "Otra",
				email: variant,
				password: "Secret123!",
			});
			expectProblem(again, 409);
		}
	});

	it("rejects a rol in the body (mass assignment) and creates nothing", async () => {
		const email = uniqueEmail("sneaky");
		const res = await post("/api/v1/auth/register", {
			nombre: "Sneaky",
			email,
			password: "Secret123!",
			rol: "admin",
		});
		const problem = expectProblem(res, 422);
		expect(problem.errors).toContainEqual(expect.objectContaining({ path: "rol" }));
		const row = await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first();
		expect(row).toBeNull();
	});

	it("reports every invalid field with its path", async () => {
		const res = await post("/api/v1/auth/register", {
			nombre: "",
			email: "not-an-email",
			password: "short",
		});
		const problem = expectProblem(res, 422);
		const paths = problem.errors.map((e: { path: string }) => e.path).sort();
		expect(paths).toEqual(["email", "nombre", "password"]);
	});

	it("answers malformed JSON with 400 and a wrong content type with 415", async () => {
		expectProblem(
			await call("POST", "/api/v1/auth/register", {
				raw: '{"nombre": "x",',
				headers: { "Content-Type": "application/json" },
			}),
			400,
		);
		expectProblem(
			await call("POST", "/api/v1/auth/register", {
				raw: "nombre=x",
				headers: { "Content-Type": "text/plain" },
			}),
			415,
		);
		expectProblem(
			await call("POST", "/api/v1/auth/register", {
				raw: "[]",
				headers: { "Content-Type": "application/json" },
			}),
			422,
		);
	});
});

describe("login", () => {
	it("returns a bearer token that authenticates /users/me", async () => {
		const user = await createUser();
		const res = await post("/api/v1/auth/login", {
			email: user.email.toUpperCase(),
			password: user.password,
		});
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ token_type: "bearer", expires_in: 3600 });
		const me = await get("/api/v1/users/me", res.body.access_token);
		expect(me.status).toBe(200);
		expect(me.body).toMatchObject({ id: user.id, email: user.email, rol: "jugador" });
	});

	it("gives the same 401 for an unknown email and a wrong password", async () => {
		const user = await createUser();
		const wrong = expectProblem(
			await post("/api/v1/auth/login", { email: user.email, password: "nope-nope" }),
			401,
		);
		const unknown = expectProblem(
			await post("/api/v1/auth/login", { email: uniqueEmail("ghost"), password: "nope-nope" }),
			401,
		);
		expect(wrong.detail).toBe(unknown.detail);
		expect(wrong.title).toBe(unknown.title);
	});

	it("refuses a deactivated user", async () => {
		const user = await createUser({ isActive: false });
		expectProblem(
			await post("/api/v1/auth/login", { email: user.email, password: user.password }),
			401,
		);
	});

	it("serves the OAuth2 password form at /auth/token", async () => {
		const user = await createUser();
		const form = new URLSearchParams({
			grant_type: "password",
			username: user.email,
			password: user.password,
		});
		const res = await call("POST", "/api/v1/auth/token", {
			raw: form.toString(),
			headers: { "Content-Type": "application/x-www-form-urlencoded" },
		});
		expect(res.status).toBe(200);
		expect(res.body.token_type).toBe("bearer");
		const bad = new URLSearchParams({
			grant_type: "password",
			username: user.email,
			password: "wrong-pass",
		});
		expectProblem(
			await call("POST", "/api/v1/auth/token", {
				raw: bad.toString(),
				headers: { "Content-Type": "application/x-www-form-urlencoded" },
			}),
			401,
		);
	});
});

describe("tokens", () => {
	it("rejects a missing or malformed Authorization header", async () => {
		const none = expectProblem(await get("/api/v1/users/me"), 401);
		expect(none.detail).toMatch(/Bearer/);
		const res = await call("GET", "/api/v1/users/me", { headers: { Authorization: "Basic abc" } });
		expectProblem(res, 401);
		expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
		expectProblem(await get("/api/v1/users/me", "not.a.jwt"), 401);
	});

	it("rejects forged, expired, alg:none, wrong-issuer, wrong-audience and exp-less tokens", async () => {
		const user = await createUser({ rol: "admin" });
		const now = Math.floor(Date.now() / 1000);
		const forged = await new SignJWT(claims(user.id))
			.setProtectedHeader({ alg: "HS256", kid })
			.setIssuedAt()
			.setExpirationTime("1h")
			.sign(new TextEncoder().encode("another-secret-another-secret-another-secret"));
		const expired = await new SignJWT(claims(user.id))
			.setProtectedHeader({ alg: "HS256", kid })
			.setIssuedAt(now - 7200)
			.setExpirationTime(now - 3600)
			.sign(secret);
		const algNone = `${b64url({ alg: "none", typ: "JWT", kid })}.${b64url({ ...claims(user.id), iat: now, exp: now + 3600 })}.`;
		const hs512 = await new SignJWT(claims(user.id))
			.setProtectedHeader({ alg: "HS512", kid })
			.setIssuedAt()
			.setExpirationTime("1h")
			.sign(secret);
		const wrongIss = await new SignJWT({ ...claims(user.id), iss: "https://evil.example" })
			.setProtectedHeader({ alg: "HS256", kid })
			.setIssuedAt()
			.setExpirationTime("1h")
			.sign(secret);
		const wrongAud = await new SignJWT({ ...claims(user.id), aud: "other-api" })
			.setProtectedHeader({ alg: "HS256", kid })
			.setIssuedAt()
			.setExpirationTime("1h")
			.sign(secret);
		const noExp = await new SignJWT(claims(user.id))
			.setProtectedHeader({ alg: "HS256", kid })
			.setIssuedAt()
			.sign(secret);
		const unknownUser = await new SignJWT(claims(crypto.randomUUID()))
			.setProtectedHeader({ alg: "HS256", kid })
			.setIssuedAt()
			.setExpirationTime("1h")
			.sign(secret);
		for (const token of [forged, expired, algNone, hs512, wrongIss, wrongAud, noExp, unknownUser]) {
			expectProblem(await get("/api/v1/users?per_page=1", token), 401);
		}
		expect((await get("/api/v1/users?per_page=1", user.token)).status).toBe(200);
	});

	it("stops working as soon as the user is deactivated", async () => {
		const admin = await createUser({ rol: "admin" });
		const user = await createUser();
		expect((await get("/api/v1/users/me", user.token)).status).toBe(200);
		expect((await del(`/api/v1/users/${user.id}`, admin.token)).status).toBe(204);
		expectProblem(await get("/api/v1/users/me", user.token), 401);
	});
});

describe("request ids", () => {
	it("puts a request id on every response and echoes a safe incoming one", async () => {
		const ok = await get("/api/v1/rifas");
		expect(ok.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
		const echoed = await call("GET", "/api/v1/rifas", {
			headers: { "X-Request-Id": "client-req-42" },
		});
		expect(echoed.headers.get("X-Request-Id")).toBe("client-req-42");
		const unsafe = await call("GET", "/api/v1/nope", {
			headers: { "X-Request-Id": "bad id <script>" },
		});
		const problem = expectProblem(unsafe, 404);
		expect(problem.request_id).not.toContain("<");
	});
});
