package server

import (
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/uptrace/bunrouter"
)

// access says who may call a route (API.md, "Authentication").
type access int

const (
	public access = iota // anyone
	staff                // a staff or admin token
	admin                // an admin token
)

// route is one row of the API's table of contents.
type route struct {
	method  string
	path    string // bunrouter pattern, without a trailing slash
	access  access
	handler handlerFunc
}

// routes is the whole API, top to bottom. Every path also answers with a
// trailing slash (see canonicalPath); authorize enforces the access column.
func (s *Server) routes() []route {
	return []route{
		{http.MethodGet, "/healthz", public, s.healthz},
		{http.MethodGet, "/readyz", public, s.readyz},
		{http.MethodGet, "/api/openapi.json", public, s.openapi},
		{http.MethodGet, "/api", public, s.apiIndex},

		{http.MethodGet, "/api/categories", public, s.listCategories},
		{http.MethodGet, "/api/categories/:id", public, s.getCategory},
		{http.MethodPost, "/api/categories", admin, s.createCategory},
		{http.MethodPatch, "/api/categories/:id", admin, patchByID("Category", patchBody(validateCategory), s.db.UpdateCategory)},
		{http.MethodDelete, "/api/categories/:id", admin, deleteByID("Category", s.db.DeleteCategory)},

		{http.MethodGet, "/api/products", public, s.listProducts},
		{http.MethodGet, "/api/products/:id", public, s.getProduct},
		{http.MethodPost, "/api/products", admin, s.createProduct},
		{http.MethodPatch, "/api/products/:id", admin, patchByID("Product", patchProduct, s.db.UpdateProduct)},
		{http.MethodDelete, "/api/products/:id", admin, deleteByID("Product", s.db.DeleteProduct)},
		{http.MethodGet, "/api/products/lookup", public, s.lookupProducts},
		{http.MethodGet, "/api/products/:id/stores", staff, s.listProductStores},

		{http.MethodGet, "/api/stores", public, s.listStores},
		{http.MethodGet, "/api/stores/:id", public, s.getStore},
		{http.MethodPost, "/api/stores", admin, s.createStore},
		{http.MethodPatch, "/api/stores/:id", admin, patchByID("Store", patchBody(validateStore), s.db.UpdateStore)},
		{http.MethodDelete, "/api/stores/:id", admin, deleteByID("Store", s.db.DeleteStore)},
		{http.MethodGet, "/api/stores/:id/orders", staff, s.listStoreOrders},
		{http.MethodGet, "/api/stores/:id/inventory", staff, s.listInventory},
		{http.MethodPost, "/api/stores/:id/inventory/batch", staff, s.stockBatch},
		{http.MethodGet, "/api/stores/:id/inventory/:product_id", staff, s.getInventoryItem},
		{http.MethodPut, "/api/stores/:id/inventory/:product_id", staff, s.setStock},
		{http.MethodPost, "/api/stores/:id/inventory/:product_id/adjust", staff, s.adjustStock},
		{http.MethodPut, "/api/stores/:id/inventory/:product_id/reorder", staff, s.setReorder},
		{http.MethodGet, "/api/stores/:id/inventory/:product_id/movements", staff, s.listMovements},

		{http.MethodGet, "/api/search/products", public, s.searchProducts},
		{http.MethodGet, "/api/search/suggest", public, s.suggestLimited(s.suggest)},

		{http.MethodGet, "/api/orders", staff, s.listOrders},
		{http.MethodPost, "/api/orders", staff, s.placeOrder},
		{http.MethodGet, "/api/orders/:id", staff, s.getOrder},
		{http.MethodPost, "/api/orders/:id/cancel", staff, s.cancelOrder},

		// Transfers: the handlers check the token covers the side of the
		// transfer each change needs (server/transfers.go).
		{http.MethodPost, "/api/transfers", staff, s.createTransfer},
		{http.MethodGet, "/api/transfers/:id", staff, s.getTransfer},
		{http.MethodPatch, "/api/transfers/:id", staff, s.editTransfer},
		{http.MethodPost, "/api/transfers/:id/ship", staff, s.shipTransfer},
		{http.MethodPost, "/api/transfers/:id/receive", staff, s.receiveTransfer},
		{http.MethodPost, "/api/transfers/:id/cancel", staff, s.cancelTransfer},
		{http.MethodGet, "/api/stores/:id/transfers", staff, s.listStoreTransfers},

		{http.MethodGet, "/api/summaries", staff, s.listSummaries},
		{http.MethodGet, "/api/summaries/latest", staff, s.latestSummaries},
		{http.MethodGet, "/api/summaries/today", staff, s.todaySummary},
		{http.MethodPost, "/api/summaries/run", admin, s.runSummaries},

		{http.MethodGet, "/api/admin/jobs", admin, s.jobsStatus},

		{http.MethodGet, "/api/admin/webhooks", admin, s.listWebhooks},
		{http.MethodPost, "/api/admin/webhooks", admin, s.createWebhook},
		{http.MethodGet, "/api/admin/webhooks/:id", admin, s.getWebhook},
		{http.MethodPatch, "/api/admin/webhooks/:id", admin, patchByID("Webhook endpoint", patchBody(validateWebhook), s.db.UpdateWebhook)},
		{http.MethodDelete, "/api/admin/webhooks/:id", admin, deleteByID("Webhook endpoint", s.db.DeleteWebhook)},
		{http.MethodGet, "/api/admin/webhooks/:id/deliveries", admin, s.listDeliveries},
		{http.MethodGet, "/api/auth/token", staff, s.currentToken},
	}
}

// RouteInfo describes one registered route, for documentation and tests.
type RouteInfo struct {
	Method string
	Path   string // bunrouter pattern: "/api/stores/:id"
	Access string // "public", "staff" or "admin"
}

// Routes lists every registered route in table order.
func (s *Server) Routes() []RouteInfo {
	names := map[access]string{public: "public", staff: "staff", admin: "admin"}
	var out []RouteInfo
	for _, rt := range s.routes() {
		out = append(out, RouteInfo{Method: rt.method, Path: rt.path, Access: names[rt.access]})
	}
	return out
}

// router registers every route, answering HEAD like GET. Every other method
// on a known path is registered too, answering 405 with an Allow header: the
// router's own not-allowed detection misses paths with parameters. Unknown
// paths get the envelope through the not-found handler.
func (s *Server) router() http.Handler {
	allowed := map[string][]string{}
	var paths []string
	for _, rt := range s.routes() {
		if allowed[rt.path] == nil {
			paths = append(paths, rt.path)
		}
		allowed[rt.path] = append(allowed[rt.path], rt.method)
		if rt.method == http.MethodGet {
			allowed[rt.path] = append(allowed[rt.path], http.MethodHead)
		}
	}
	r := bunrouter.New(bunrouter.WithNotFoundHandler(s.errors(s.notFound)),
		// Methods the loop below does not register (TRACE, or any token a
		// client makes up) reach the router's own 405, which has no envelope.
		bunrouter.WithMethodNotAllowedHandler(s.errors(s.named(func(w http.ResponseWriter, req bunrouter.Request) error {
			return s.methodNotAllowed(strings.Join(allowed[req.Route()], ", "))(w, req)
		}))))
	for _, rt := range s.routes() {
		h := s.errors(s.named(s.authorize(rt, s.notingWrites(rt, rt.handler))))
		r.Handle(rt.method, rt.path, h)
		if rt.method == http.MethodGet {
			r.Handle(http.MethodHead, rt.path, h)
		}
	}
	for _, p := range paths {
		methods := allowed[p]
		sort.Strings(methods)
		notAllowed := s.errors(s.named(s.methodNotAllowed(strings.Join(methods, ", "))))
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
			http.MethodPatch, http.MethodDelete, http.MethodOptions} {
			if !slices.Contains(methods, m) {
				r.Handle(m, p, notAllowed)
			}
		}
	}
	return s.canonicalPath(s.validQuery(r))
}
