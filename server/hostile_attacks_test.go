package server_test

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/aforro/aforro/server"
)

// maxHeaderBytes is the header limit aforrod serve gives net/http; net/http
// allows 4 KiB more before it answers 431 itself.
const maxHeaderBytes = 64 << 10

// hostileRoute is one row of the route table with what the OpenAPI document
// says about it.
type hostileRoute struct {
	server.RouteInfo
	query []*openapi3.Parameter // its documented query parameters
	body  *openapi3.Schema      // its request body; nil when it takes none
}

// write reports whether the route changes data when it succeeds.
func (rt hostileRoute) write() bool { return rt.Method != "GET" && rt.Method != "HEAD" }

var routeParam = regexp.MustCompile(`:(\w+)`)

// hostileRoutes pairs each route with its operation in the OpenAPI document.
func hostileRoutes(t *testing.T, routes []server.RouteInfo) []hostileRoute {
	t.Helper()
	doc, err := server.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var out []hostileRoute
	for _, ri := range routes {
		item := doc.Paths.Value(routeParam.ReplaceAllString(ri.Path, "{$1}"))
		if item == nil || item.GetOperation(ri.Method) == nil {
			t.Fatalf("%s %s is not in the OpenAPI document", ri.Method, ri.Path)
		}
		op := item.GetOperation(ri.Method)
		rt := hostileRoute{RouteInfo: ri}
		for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
			if p.Value.In == openapi3.ParameterInQuery {
				rt.query = append(rt.query, p.Value)
			}
		}
		if op.RequestBody != nil {
			rt.body = op.RequestBody.Value.Content.Get("application/json").Schema.Value
		}
		out = append(out, rt)
	}
	return out
}

// pathParams are the names of the parameters in a route pattern, in order.
func pathParams(pattern string) []string {
	var names []string
	for _, m := range routeParam.FindAllStringSubmatch(pattern, -1) {
		names = append(names, m[1])
	}
	return names
}

// fillPath puts ids into a route pattern; a parameter without one gets 1,
// which names a row of every table in the catalogue.
func fillPath(pattern string, ids map[string]string) string {
	return routeParam.ReplaceAllStringFunc(pattern, func(m string) string { return cmp.Or(ids[m[1:]], "1") })
}

// Path ids of every shape, as sent (percent-encoded where that is the
// trick). Those that spell id 1 another way (+1, 01, %31) name rows that
// every DELETE refuses (other rows refer to them, 409) and no order, so they
// change nothing either.
var hostileIDs = []string{
	"0", "-0", "-1", "+1", "01", "0001", "%31", "%2B1",
	"1.0", "1.5", "1e3", "1E3", "0x10", "0X1F", "0b1", "0o7", "1_000", "1,2", "1;2", "1%3B2",
	"%201", "1%20", "%091", "1%0A", "%0D%0A1", "1%09",
	"9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
	"99999999999999999999999999999999", "1e309", "NaN", "Infinity", "-Inf", "null", "true", "undefined",
	"%D9%A1", "\xd9\xa1", "%EF%BC%91", "%C2%B9", "%E2%85%A0", "%F0%9D%9F%8F", // ١, ١ unescaped, １, ¹, Ⅰ, 𝟏
	"%00", "1%00", "%001", "%FF", "1%FF", "\xff", "%C0%AE", "%ED%A0%80", "%E2%80%8B1", "%EF%BB%BF1", "%E2%80%AE1",
	"%25", "%2525", "%252F", "%2F", "1%2F2", "1%2Finventory", "%2E", "%2E%2E", "..", ".", "%5C", `\`, "%5C..%5C",
	"'", "1'--", "1%20OR%201%3D1", "$1", "*", "~", "%7B%7D", "[1]", "%3Cscript%3E",
	strings.Repeat("9", 1000), strings.Repeat("a", 60_000), strings.Repeat("%41", 20_000),
	"%zz", "%", "%1", "1%2", "a b", // not a URL: net/http answers 400 itself
}

// Query parameter values, percent-encoded when sent. Every parameter gets
// the common ones and the numbers (huge and negative, floats where integers
// belong); all but integer parameters get the text too (tsquery and LIKE
// metacharacters, injections, odd dates and enums).
var (
	commonValues = []string{"", " ", "\xff", "\xc0\xaf", "\xed\xa0\x80", "\x00", "a\x00b", "\x1b[2J", "\u202e",
		"\u200b", "💻", "e\u0301", "null", "[]", "{}", "'", "?", "#", "&page=2", strings.Repeat("a", 201),
		strings.Repeat("laptop ", 2000), strings.Repeat("é", 150)}
	numberValues = []string{"-1", "0", "-0", "+1", "01", "1.5", "1e3", "1e309", "-1e309", "NaN", "Infinity", "0x10",
		"1_000", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "99999999999999999999999999999",
		"2147483648", "10000000000", "9999999999.99", "0.001", "1,5", "true", "yes", "TRUE ", "١", "１"}
	textValues = []string{"&", "|", "!", "(", ")", ":", ":*", "*", "<->", "<2>", "<-1>", "a & b | !c", "!(a <-> b):*",
		"(((((((((", "''", `"`, "a:*B", `\`, `a\`, "laptop:A", "laptop & !", "-laptop", `"laptop`, "or", "OR OR OR",
		"%", "_", `%_\`, `\%`, "100%", "__", "%%%", "[a-z]", "^.*$", "' OR '1'='1", "'; DROP TABLE products; --", "$1",
		"2026-02-30", "0000-01-01", "9999-12-31", "-2026-01-01", "2026-1-1", "2026-01-01T00:00:00Z", "20260101",
		"yesterday", "all", "ALL", "confirmed", "CONFIRMED\x00", "relevance", "PRICE_ASC", "price_asc;",
		strings.Repeat("&", 5000), strings.Repeat("a:* & ", 30)}
	hostileValues = slices.Concat(commonValues, numberValues, textValues)
)

// Query parameter names no route documents but clients try, beside every
// documented one.
var otherParams = []string{"cursor", "limit", "offset", "id", "fields", "format", "callback", "page[]", "PAGE"}

// Query strings sent as they are: malformed, or too many parameters.
var rawQueries = []string{
	"%", "%zz", "%1", "q=%", "page=%zz", "a;b", "page=1;page=2", "%ff=1", "q=%ff", "q=%c0%ae", "q%00=1",
	"=", "==", "&&&", "&=&=", "page", "page=", "page=1&page=-1", "page[]=1", "page[0]=1", "q=a+b", "q=%2B",
	"?", "??", "q=\xff", "q=\xd9\xa1",
	strings.Repeat("x&", 11_000), // past net/url's 10,000 parameters
	strings.Repeat("x", 60_000),
	"q=" + strings.Repeat("%ff", 5_000),
}

// Added header lines, all within net/http's header limit.
var headerTricks = []struct{ name, lines string }{
	{"X-Request-Id of 129 characters", "X-Request-Id: " + strings.Repeat("r", 129)},
	{"X-Request-Id of 60 KB", "X-Request-Id: " + strings.Repeat("r", 60_000)},
	{"X-Request-Id past ASCII", "X-Request-Id: \xff\xfe"},
	{"X-Request-Id with markup", "X-Request-Id: <script>alert(1)</script>"},
	{"X-Request-Id with spaces", "X-Request-Id: a b"},
	{"two X-Request-Ids", "X-Request-Id: a\r\nX-Request-Id: b"},
	{"Cookie of 60 KB", "Cookie: a=" + strings.Repeat("b", 60_000)},
	{"2000 headers", strings.TrimSuffix(strings.Repeat("X-H: v\r\n", 2000), "\r\n")},
	{"X-Forwarded-For not an address", "X-Forwarded-For: not an address"},
	{"X-Forwarded-For of 3000 hops", "X-Forwarded-For: " + strings.TrimSuffix(strings.Repeat("10.1.2.3, ", 3000), ", ")},
	{"X-Forwarded-For of every form", "X-Forwarded-For: 1.2.3.4, ::1, fe80::1%eth0, [2001:db8::1]:80, 999.1.1.1, \xff, , unknown"},
	{"two X-Forwarded-Fors", "X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-For: garbage"},
	{"Forwarded", "Forwarded: for=203.0.113.9;proto=https;host=evil.example"},
	{"method override", "X-HTTP-Method-Override: DELETE\r\nX-Method-Override: DELETE"},
	{"URL override", "X-Original-URL: /api/admin/jobs\r\nX-Rewrite-URL: /api/admin/jobs"},
	{"Accept text/html", "Accept: text/html"},
	{"Accept-Encoding", "Accept-Encoding: gzip, br, *;q=0"},
	{"Range", "Range: bytes=0-0"},
	{"conditional", "If-None-Match: *\r\nIf-Modified-Since: Sat, 01 Jan 3000 00:00:00 GMT"},
	{"Content-Encoding gzip", "Content-Encoding: gzip"},
	{"h2c upgrade", "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA"},
	{"websocket upgrade", "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13"},
	{"Expect 100-continue", "Expect: 100-continue"},
	{"Idempotency-Key of 256 characters", "Idempotency-Key: " + strings.Repeat("k", 256)},
	{"Idempotency-Key past ASCII", "Idempotency-Key: \xff"},
	{"Idempotency-Key empty", "Idempotency-Key:"},
	{"Origin", "Origin: https://evil.example"},
	{"Content-Type of 10 KB", "Content-Type: application/json; x=" + strings.Repeat("y", 10_000)},
	{"values past ASCII", "X-A: \x80\xff\xfe"},
}

// contentTypes are sent with the bodies, at random: the server reads JSON
// whatever the label says.
var contentTypes = []string{
	"application/json", "application/json; charset=utf-8", "", "text/plain", "application/x-www-form-urlencoded",
	"multipart/form-data; boundary=x", "application/json; charset=latin1", "application/xml", "*/*", "application/json, text/html",
}

// Methods besides the registered ones; net/http refuses those that are not
// HTTP tokens (400), the router answers the others 405.
var oddMethods = []string{
	"get", "Get", "post", "delete", "PROPFIND", "MKCOL", "COPY", "MOVE", "LOCK", "TRACE", "CONNECT", "PRI",
	"FOO", "M-SEARCH", strings.Repeat("X", 10_000), "G\x00T", "GE(T", "GET\xff", "\xff",
}

// authTricks are Authorization header lines (and look-alikes) that
// authenticate nobody.
func authTricks(c credentials) []string {
	return []string{
		"Authorization:",
		"Authorization: Bearer",
		"Authorization: Bearer ",
		"Authorization: Bearer    ",
		"Authorization: Basic YWRtaW46YWRtaW4=",
		"Authorization: Token " + c.admin,
		"Authorization: Bearer" + c.admin,
		"Authorization: Bearer\t" + c.admin,
		"Authorization: Bearer " + c.admin + "x",
		"Authorization: Bearer " + c.admin[:len(c.admin)-1],
		"Authorization: Bearer " + strings.ToUpper(c.admin),
		"Authorization: Bearer " + c.revoked,
		"Authorization: Bearer afr_",
		"Authorization: Bearer afr_" + strings.Repeat("a", 96),
		"Authorization: Bearer afr_' OR '1'='1",
		"Authorization: Bearer " + strings.Repeat("a", 60_000),
		"Authorization: Bearer \xff\xfe\xfd",
		"Authorization: Bearer %00",
		"Authorization: Bearer x, Bearer " + c.admin,
		"Authorization: Bearer x\r\nAuthorization: Bearer " + c.admin, // the first one counts
		"Proxy-Authorization: Bearer " + c.admin,
		"Cookie: token=" + c.admin,
		"Authorization: Bearer " + c.admin + "\x00", // not a header value: net/http answers 400
	}
}

// wireTricks change a well-formed request's line or framing; net/http
// refuses most of them itself. Only those that frame a body of their own
// send one: the server refuses the others' heads before it would read a
// body, and closing a connection with bytes unread resets it, which can
// lose the answer on the way.
var wireTricks = []struct {
	name   string
	mutate func(a *attack)
}{
	{"HTTP/1.0 without Host", func(a *attack) { a.proto = "HTTP/1.0"; a.dropHeader("Host") }},
	{"HTTP/1.1 without Host", func(a *attack) { a.dropHeader("Host") }},
	{"HTTP/1.9", func(a *attack) { a.proto = "HTTP/1.9" }},
	{"HTTP/2.0 over HTTP/1", func(a *attack) { a.proto = "HTTP/2.0" }},
	{"HTTP/3.0", func(a *attack) { a.proto = "HTTP/3.0" }},
	{"HTTP/0.9", func(a *attack) { a.proto = "HTTP/0.9" }},
	{"HTTP/1", func(a *attack) { a.proto = "HTTP/1" }},
	{"lower-case version", func(a *attack) { a.proto = "http/1.1" }},
	{"no version", func(a *attack) { a.proto = "" }},
	{"junk after the version", func(a *attack) { a.proto += " x" }},
	{"two spaces after the method", func(a *attack) { a.method += " " }},
	{"absolute-form target", func(a *attack) { a.target = "http://evil.example" + a.target }},
	{"absolute-form target, other scheme", func(a *attack) { a.target = "ftp://evil.example" + a.target }},
	{"target without its slash", func(a *attack) { a.target = a.target[1:] }},
	{"asterisk target", func(a *attack) { a.target = "*" }},
	{"OPTIONS *", func(a *attack) { a.method, a.target = "OPTIONS", "*" }},
	{"empty target", func(a *attack) { a.target = "" }},
	{"NUL in the target", func(a *attack) { a.target += "\x00" }},
	{"tab in the target", func(a *attack) { a.target += "\tx" }},
	{"DEL in the target", func(a *attack) { a.target += "\x7f" }},
	{"bytes past ASCII in the target", func(a *attack) { a.target += "\xff\xfe" }},
	{"fragment in the target", func(a *attack) { a.target += "#x" }},
	{"bare LF line ends", func(a *attack) { a.eol = "\n" }},
	{"request line past the header limit", func(a *attack) { a.target += longQuery }},
	{"a header past the limit", func(a *attack) { a.header = append(a.header, longHeader) }},
	{"a header of 1 MB", func(a *attack) { a.header = append(a.header, hugeHeader) }},
	{"two Host headers", func(a *attack) { a.header = append(a.header, "Host: b.example") }},
	{"Host with a space", func(a *attack) { a.setHeader("Host", "a b") }},
	{"Host with NUL", func(a *attack) { a.setHeader("Host", "a\x00b") }},
	{"empty Host", func(a *attack) { a.setHeader("Host", "") }},
	{"Host of 10 KB", func(a *attack) { a.setHeader("Host", strings.Repeat("h", 10_000)) }},
	{"header name with a space", func(a *attack) { a.header = append(a.header, "X A: 1") }},
	{"header name with NUL", func(a *attack) { a.header = append(a.header, "X\x00A: 1") }},
	{"header name past ASCII", func(a *attack) { a.header = append(a.header, "X-Ü: 1") }},
	{"empty header name", func(a *attack) { a.header = append(a.header, ": 1") }},
	{"header line without a colon", func(a *attack) { a.header = append(a.header, "X-A") }},
	{"obs-fold continuation", func(a *attack) { a.header = append(a.header, "X-A: a", " b") }},
	{"NUL in a header value", func(a *attack) { a.header = append(a.header, "X-A: a\x00b") }},
	{"CR in a header value", func(a *attack) { a.header = append(a.header, "X-A: a\rb") }},
	{"DEL in a header value", func(a *attack) { a.header = append(a.header, "X-A: a\x7fb") }},
	{"Expect something else", func(a *attack) { a.header = append(a.header, "Expect: bogus") }},
	{"negative Content-Length", func(a *attack) { a.frame("Content-Length: -1", nil) }},
	{"Content-Length not a number", func(a *attack) { a.frame("Content-Length: 1e3", nil) }},
	{"Content-Length past int64", func(a *attack) { a.frame("Content-Length: 99999999999999999999", nil) }},
	{"two Content-Lengths", func(a *attack) { a.frame("Content-Length: 2\r\nContent-Length: 3", nil) }},
	{"Content-Length list", func(a *attack) { a.frame("Content-Length: 2, 2", nil) }},
	{"Transfer-Encoding gzip", func(a *attack) { a.frame("Transfer-Encoding: gzip", nil) }},
	{"Transfer-Encoding twice", func(a *attack) { a.frame("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked", nil) }},
	{"Content-Length and chunked", func(a *attack) {
		a.frame("Content-Length: 100\r\nTransfer-Encoding: chunked", []byte("2\r\n{}\r\n0\r\n\r\n"))
	}},
	{"chunk size not hex", func(a *attack) { a.frame("Transfer-Encoding: chunked", []byte("zz\r\n{}\r\n0\r\n\r\n")) }},
	{"chunk size past int64", func(a *attack) {
		a.frame("Transfer-Encoding: chunked", []byte("fffffffffffffffffff\r\n{}\r\n0\r\n\r\n"))
	}},
	{"chunk extension of 3 KB", func(a *attack) {
		a.frame("Transfer-Encoding: chunked", []byte("2;x="+strings.Repeat("e", 3000)+"\r\n{}\r\n0\r\n\r\n"))
	}},
	{"body cut short", func(a *attack) { a.frame("Content-Length: 100", []byte(`{"name"`)); a.closeWrite = true }},
	{"chunked body cut short", func(a *attack) {
		a.frame("Transfer-Encoding: chunked", []byte("10\r\n{\"na"))
		a.closeWrite = true
	}},
}

// The long parts of wireTricks, shared by every route's attacks.
var (
	longQuery  = "?q=" + strings.Repeat("a", maxHeaderBytes+8<<10)
	longHeader = "X-Pad: " + strings.Repeat("p", maxHeaderBytes+8<<10)
	hugeHeader = "X-Pad: " + strings.Repeat("p", 1<<20)
)

// namedBody is a request body and what it is, for the failure log.
type namedBody struct {
	name string
	body []byte
}

// hostileBodies are bodies no route takes, whatever its schema: not JSON,
// not one object, nested past reason, too big.
func hostileBodies(limit int) []namedBody {
	b := func(name, body string) namedBody { return namedBody{name, []byte(body)} }
	return []namedBody{
		b("empty", ""), b("white space", " \r\n\t "), b("null", "null"), b("true", "true"), b("a number", "1"),
		b("1e309", "1e309"), b("a string", `"text"`), b("an array", "[]"), b("an array of an object", "[{}]"),
		b("an open brace", "{"), b("a close brace", "}"), b("a key alone", `{"a"}`), b("no value", `{"a":}`),
		b("a trailing comma", `{"a":1,}`), b("a lone comma", "{,}"), b("two objects", `{}{}`), b("trailing text", "{} x"),
		b("single quotes", `{'a':1}`), b("a bare key", "{a:1}"), b("a leading zero", `{"a":01}`), b("NaN", `{"a":NaN}`),
		b("a comment", "/* */{}"), b("a line comment", "{} // x"), b("a BOM", "\xef\xbb\xbf{}"),
		b("UTF-16", "\xff\xfe{\x00}\x00"), b("NUL outside strings", "{\x00}"), b("a key not UTF-8", `{"`+"\xff"+`":1}`),
		b("a lone surrogate key", `{"\ud800":1}`), b("an empty key", `{"":1}`), b("prototype pollution", `{"__proto__":{"admin":true}}`),
		b("constructor", `{"constructor":{"prototype":{"admin":true}}}`), b("form-encoded", "name=Garden&title=x"),
		b("multipart", "--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nGarden\r\n--x--\r\n"),
		b("XML", "<name>Garden</name>"),
		b("arrays 20,000 deep", strings.Repeat("[", 20_000)+strings.Repeat("]", 20_000)),
		b("objects 20,000 deep", strings.Repeat(`{"a":`, 20_000)+"1"+strings.Repeat("}", 20_000)),
		b("an unclosed array 100,000 deep", strings.Repeat("[", 100_000)),
		b("20,000 keys", "{"+strings.TrimSuffix(strings.Repeat(`"k":1,`, 20_000), ",")+"}"),
		b("a 100,000-digit number", `{"x":`+strings.Repeat("9", 100_000)+"}"),
		b("exactly the limit", `{"x":"`+strings.Repeat("a", limit-8)+`"}`),
		b("one byte past the limit", `{"x":"`+strings.Repeat("a", limit-7)+`"}`),
	}
}

// Values no field of a type accepts, as JSON, beside those that depend on
// the field's bounds (badValues).
var (
	notStrings = []string{"1", "-1", "1.5", "1e309", "true", "false", "[]", `["x"]`, "{}", `{"x":"y"}`,
		strings.Repeat("[", 5000) + strings.Repeat("]", 5000)}
	badStrings = []string{`"\u0000"`, `"x\u0000"`, `"\u0007"`, `"\u001b[2J"`, `"x\u0085y"`, `"\ud800"`, `"\udfff"`,
		`"x\ud800y"`, `"\ud800\ud800"`, `"\udc00\ud800"`, "\"\xff\"", "\"x\xfe\"", "\"\xed\xa0\x80\"", "\"\xc0\x80\"",
		"\"\xf4\x90\x80\x80\"", `"\u"`, `"\x"`, `"open`}
	badEmails = []string{`"not an email"`, `"a@b@c"`, `"<ana@example.com>"`, `"Ana <ana@example.com>"`,
		`"ana@example.com\r\nBcc: eve@example.com"`, `"ana@example.com, eve@example.com"`}
	badIntegers = []string{`"1"`, `""`, `"x"`, "1.5", "-1.5", "1.0", "1e0", "1e309", "-1e309", "1e19",
		"9223372036854775808", "-9223372036854775809", "-9223372036854775808", "true", "[]", "[1]", "{}",
		"0x10", "01", "+1", ".5", "NaN", "Infinity", "0", "-1"}
	badMoney = []string{`"-1"`, "-1", "-0.01", `"1.999"`, "1.999", "0.001", "1e-3", "1e309", `"1e3"`, `"NaN"`,
		`"Infinity"`, `""`, `" "`, `"١"`, `"0x10"`, "99999999999", `"99999999999"`, `"10000000000.00"`, `"+1"`,
		`".5"`, `"5."`, `"1,5"`, `"1 000"`, `"\u0000"`, `"\ud800"`, "true", "[]", "{}", "[1]"}
	badArrays = []string{"{}", `"x"`, "1", "true", "[]", "[null]", "[1]", `["x"]`, "[[]]", "[{}]",
		"[" + strings.TrimSuffix(strings.Repeat("{},", 100_000), ",") + "]"}
)

// badValues are values the field of schema s refuses, as JSON; null is
// among them because it counts as absent.
func badValues(s *openapi3.Schema) []string {
	out := []string{"null"}
	if s.Nullable { // null is a value such a field takes (a product's sku and barcodes: remove them)
		out = nil
	}
	switch {
	case len(s.OneOf) > 0: // MoneyInput: a decimal as a string or a number
		out = append(out, badMoney...)
	case s.Type.Is("integer"):
		for _, v := range badIntegers {
			// 0 is refused by most integer fields (ids, quantities to move),
			// but not by one whose minimum is 0 (a reorder point).
			if v != "0" || s.Min == nil || *s.Min > 0 {
				out = append(out, v)
			}
		}
		if s.Min != nil {
			out = append(out, strconv.FormatFloat(*s.Min-1, 'f', -1, 64))
		}
		if s.Max != nil {
			out = append(out, strconv.FormatFloat(*s.Max+1, 'f', -1, 64))
		}
	case s.Type.Is("string"):
		out = append(out, notStrings...)
		out = append(out, badStrings...)
		if s.Format == "email" {
			out = append(out, badEmails...)
		}
		if s.MinLength > 0 {
			out = append(out, `""`, `"   "`, `"\t\n"`)
		}
		if s.MaxLength != nil {
			n := int(*s.MaxLength) + 1
			out = append(out, `"`+strings.Repeat("x", n)+`"`, `"`+strings.Repeat("é", n)+`"`)
		}
	case s.Type.Is("array"):
		for _, v := range badArrays {
			// An empty list and a list of a string are a list of codes.
			if s.Items == nil || !s.Items.Value.Type.Is("string") || (v != "[]" && v != `["x"]`) {
				out = append(out, v)
			}
		}
		if s.MaxItems != nil && s.Items != nil {
			el := plausible(s.Items.Value)
			out = append(out, "["+strings.TrimSuffix(strings.Repeat(el+",", int(*s.MaxItems)+1), ",")+"]")
		}
	}
	return out
}

// plausible is a value of schema s's type that its field could accept.
func plausible(s *openapi3.Schema) string {
	switch {
	case len(s.OneOf) > 0:
		return `"1.00"`
	case s.Type.Is("integer"):
		if s.Min != nil && *s.Min > 1 {
			return strconv.FormatFloat(*s.Min, 'f', -1, 64)
		}
		return "1"
	case s.Type.Is("string") && s.Format == "email":
		return `"ana@example.com"`
	case s.Type.Is("string"):
		return `"` + strings.Repeat("x", max(1, int(s.MinLength))) + `"`
	case s.Type.Is("array") && s.Items != nil:
		return "[" + plausible(s.Items.Value) + "]"
	case s.Type.Is("object"):
		var members []string
		for _, name := range s.Required {
			members = append(members, strconv.Quote(name)+":"+plausible(s.Properties[name].Value))
		}
		return "{" + strings.Join(members, ",") + "}"
	}
	return "null"
}

// refused is a value of schema s's type that its field refuses, so that a
// key given twice is not refused for the type alone.
func refused(s *openapi3.Schema) string {
	switch {
	case len(s.OneOf) > 0:
		return `"-1"`
	case s.Type.Is("integer") && s.Min != nil:
		return strconv.FormatFloat(*s.Min-1, 'f', -1, 64)
	case s.Type.Is("string"):
		return `"\u0000"`
	case s.Type.Is("array"):
		return "[1]"
	}
	return "null"
}

// fieldBodies are bodies that each give one field of schema s a value it
// refuses, or give it twice; prefix names the fields in the failure log, and
// wrap puts a body for an array's element into the body around it. The
// other fields are left out, so each value is the only problem of a PATCH.
func fieldBodies(s *openapi3.Schema, prefix string, wrap func(string) string) []namedBody {
	var out []namedBody
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		p, key := s.Properties[name].Value, strconv.Quote(name)
		member := func(v string) string { return wrap("{" + key + ":" + v + "}") }
		for _, v := range badValues(p) {
			out = append(out, namedBody{prefix + name + " = " + shorten(v, 40), []byte(member(v))})
		}
		// The same key twice, with a value refused either first or last.
		ok, bad := plausible(p), refused(p)
		out = append(out,
			namedBody{prefix + name + " twice, the last refused", []byte(wrap("{" + key + ":" + ok + "," + key + ":" + bad + "}"))},
			namedBody{prefix + name + " twice, the first refused", []byte(wrap("{" + key + ":" + bad + "," + key + ":" + ok + "}"))})
		if p.Type.Is("array") && p.Items != nil && p.Items.Value.Type.Is("object") {
			el := p.Items.Value
			out = append(out, fieldBodies(el, prefix+name+"[0].", func(e string) string { return member("[" + e + "]") })...)
			out = append(out, fieldBodies(el, prefix+name+"[1].", func(e string) string { return member("[{}," + e + "]") })...)
		}
	}
	return out
}

// generator turns the tables into attacks. Its choices (credentials,
// content types, samples) come from a seeded source, so every run sends the
// same requests.
type generator struct {
	creds   credentials
	rng     *rand.Rand
	names   []string    // every query parameter name the API knows, and otherParams
	hostile []namedBody // hostileBodies, made once: they are large
	tenMB   []byte      // a 10 MB body
	out     []*attack
}

func newGenerator(c credentials, rng *rand.Rand) *generator { return &generator{creds: c, rng: rng} }

// all is every family of attacks on every route.
func (g *generator) all(routes []hostileRoute) []*attack {
	for _, rt := range routes {
		for _, p := range rt.query {
			if !slices.Contains(g.names, p.Name) {
				g.names = append(g.names, p.Name)
			}
		}
	}
	g.names = append(g.names, otherParams...)
	g.hostile = hostileBodies(int(server.DefaultConfig().MaxBodyBytes))
	g.tenMB = []byte(`{"name":"` + strings.Repeat("a", 10<<20) + `"}`)
	for _, rt := range routes {
		g.pathIDs(rt)
		g.queries(rt)
		g.bodies(rt)
		g.auth(rt)
		g.wire(rt)
	}
	g.methods(routes)
	return g.out
}

// wire sends rt the raw query strings, the header tricks and the wire
// tricks.
func (g *generator) wire(rt hostileRoute) {
	for _, q := range rawQueries {
		g.request("query", "raw: "+shorten(q, 40), rt, nil, g.cred(rt)).target += "?" + q
	}
	for _, h := range headerTricks {
		a := g.request("header", h.name, rt, nil, g.cred(rt))
		a.header = append(a.header, strings.Split(h.lines, "\r\n")...)
	}
	for _, w := range wireTricks {
		w.mutate(g.request("wire", w.name, rt, nil, g.cred(rt)))
	}
}

// request is a well-formed request to rt with ids in its path (1 where
// absent), sent with cred (none when ""), and no body, which every route
// that takes one refuses.
func (g *generator) request(family, name string, rt hostileRoute, ids map[string]string, cred string) *attack {
	a := &attack{family: family, name: name, method: rt.Method, target: fillPath(rt.Path, ids),
		proto: "HTTP/1.1", eol: "\r\n", header: []string{"Host: aforro.test"}}
	if g.rng.IntN(2) == 0 {
		a.target += "/"
	}
	if cred != "" {
		a.header = append(a.header, "Authorization: Bearer "+cred)
	}
	g.out = append(g.out, a)
	return a
}

// anyone is a credential for an attack every route must refuse whoever
// sends it: the admin's more often than not, who gets furthest.
func (g *generator) anyone() string {
	return [...]string{g.creds.admin, g.creds.admin, g.creds.staff, ""}[g.rng.IntN(4)]
}

// cred is the credential for an attack that rt's handler must refuse: a
// read changes nothing, and a body route gets a hostile body. A write that
// reads no body (a DELETE, a cancel, running a summary) would ignore a
// hostile query or header and succeed, so it gets a credential the route
// refuses.
func (g *generator) cred(rt hostileRoute) string {
	if !rt.write() || rt.body != nil {
		return g.anyone()
	}
	if rt.Access == "admin" {
		return [...]string{g.creds.staff, g.creds.revoked, ""}[g.rng.IntN(3)]
	}
	return [...]string{g.creds.revoked, ""}[g.rng.IntN(2)]
}

// pathIDs puts every hostile id in every id position of rt, the admin, the
// staff token and no token taking turns.
func (g *generator) pathIDs(rt hostileRoute) {
	creds := []string{g.creds.admin, g.creds.staff, ""}
	for i, param := range pathParams(rt.Path) {
		for j, id := range hostileIDs {
			g.request("path id", param+" = "+shorten(id, 40), rt, map[string]string{param: id}, creds[(i+j)%3])
		}
	}
}

// queries sends rt every hostile value of each parameter it documents and
// one of every other name, several parameters at once, and a HEAD with each
// documented parameter.
func (g *generator) queries(rt hostileRoute) {
	param := func(name, value string) string { return url.QueryEscape(name) + "=" + url.QueryEscape(value) }
	for _, name := range g.names {
		values := []string{g.value()}
		if i := slices.IndexFunc(rt.query, func(p *openapi3.Parameter) bool { return p.Name == name }); i >= 0 {
			values = hostileValues
			if rt.query[i].Schema.Value.Type.Is("integer") {
				values = slices.Concat(commonValues, numberValues)
			}
		}
		for _, v := range values {
			g.request("query", name+" = "+shorten(v, 40), rt, nil, g.cred(rt)).target += "?" + param(name, v)
		}
	}
	for range 3 {
		var ps []string
		for range 4 {
			ps = append(ps, param(g.names[g.rng.IntN(len(g.names))], g.value()))
		}
		q := strings.Join(ps, "&")
		g.request("query", "several: "+shorten(q, 60), rt, nil, g.cred(rt)).target += "?" + q
	}
	if rt.Method == "GET" {
		for _, p := range rt.query {
			v := g.value()
			a := g.request("query", "HEAD, "+p.Name+" = "+shorten(v, 40), rt, nil, g.cred(rt))
			a.method, a.target = "HEAD", a.target+"?"+param(p.Name, v)
		}
	}
}

func (g *generator) value() string { return hostileValues[g.rng.IntN(len(hostileValues))] }

// bodies sends a route that takes a body every hostile body and every
// refused value of each field of its schema, as the admin (who gets
// furthest) under a random Content-Type, and 10 MB bodies to every route.
func (g *generator) bodies(rt hostileRoute) {
	tooBig := g.request("body", "10 MB", rt, nil, g.cred(rt))
	tooBig.body = g.tenMB
	if rt.body == nil {
		return
	}
	chunked := g.request("body", "10 MB chunked", rt, nil, g.creds.admin)
	chunked.body, chunked.chunked = g.tenMB, true
	for _, b := range slices.Concat(g.hostile, fieldBodies(rt.body, "", func(s string) string { return s })) {
		a := g.request("body", b.name, rt, nil, g.creds.admin)
		a.body = b.body
		g.contentType(a)
	}
}

// contentType labels a's body with a random Content-Type, or none.
func (g *generator) contentType(a *attack) {
	a.dropHeader("Content-Type")
	if ct := contentTypes[g.rng.IntN(len(contentTypes))]; ct != "" {
		a.header = append(a.header, "Content-Type: "+ct)
	}
}

// auth sends rt every credential that authenticates nobody, and the staff
// token where it falls short: on an admin route, on another store's data.
func (g *generator) auth(rt hostileRoute) {
	for _, line := range authTricks(g.creds) {
		a := g.request("auth", shorten(line, 60), rt, nil, "")
		a.header = append(a.header, strings.Split(line, "\r\n")...)
	}
	if rt.Access == "public" {
		return
	}
	if rt.Access == "admin" {
		g.request("auth", "a staff token", rt, nil, g.creds.staff)
	}
	if strings.HasPrefix(rt.Path, "/api/stores/:id") {
		g.request("auth", "a staff token of another store", rt, map[string]string{"id": "2"}, g.creds.staff)
	}
	if slices.ContainsFunc(rt.query, func(p *openapi3.Parameter) bool { return p.Name == "store_id" }) {
		g.request("auth", "a staff token, store_id of another store", rt, nil, g.creds.staff).target += "?store_id=2"
	}
}

// methods sends every path of the table every standard method it does not
// register, and the odd ones.
func (g *generator) methods(routes []hostileRoute) {
	registered := map[string][]string{}
	var paths []hostileRoute
	for _, rt := range routes {
		if registered[rt.Path] == nil {
			paths = append(paths, rt)
		}
		registered[rt.Path] = append(registered[rt.Path], rt.Method)
	}
	for _, rt := range paths {
		for _, m := range append([]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}, oddMethods...) {
			if slices.Contains(registered[rt.Path], m) || m == "HEAD" && slices.Contains(registered[rt.Path], "GET") {
				continue
			}
			g.request("method", shorten(m, 20), rt, nil, g.anyone()).method = m
		}
	}
}

// shorten cuts s to n bytes, saying how long it was.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s… (%d bytes)", s[:n], len(s))
}
