package server

import (
	_ "embed"
	"fmt"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/uptrace/bunrouter"
)

// openapiYAML is the API's OpenAPI 3.0.3 document, written by hand next to
// the handlers and kept honest by openapi_test.go, which checks it against
// the route table and validates real answers with it.
//
//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPI parses the embedded document.
func OpenAPI() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openapiYAML)
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	return doc, nil
}

// openAPIJSON renders the document once, at start-up.
func openAPIJSON() ([]byte, error) {
	doc, err := OpenAPI()
	if err != nil {
		return nil, err
	}
	b, err := doc.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("render openapi.json: %w", err)
	}
	return b, nil
}

func (s *Server) openapi(w http.ResponseWriter, _ bunrouter.Request) error {
	if s.openapiErr != nil {
		return s.openapiErr
	}
	writeRaw(w, http.StatusOK, s.openapiDoc)
	return nil
}

// apiIndex answers GET /api/: where each section of the API starts, as the
// seed's API root did (paths, not absolute URLs, which a proxy in front would
// make wrong).
func (s *Server) apiIndex(w http.ResponseWriter, _ bunrouter.Request) error {
	writeJSON(w, http.StatusOK, apiSections)
	return nil
}

// apiSections is the body of GET /api/.
var apiSections = map[string]string{
	"categories": "/api/categories/",
	"products":   "/api/products/",
	"stores":     "/api/stores/",
	"orders":     "/api/orders/",
	"search":     "/api/search/products/",
	"suggest":    "/api/search/suggest/",
	"summaries":  "/api/summaries/",
	"openapi":    "/api/openapi.json",
}
