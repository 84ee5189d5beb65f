package aforro

// Limits of the catalogue and store fields, in characters (Unicode code
// points), after surrounding white space is trimmed. The schema's CHECK
// constraints hold the same numbers.
const (
	MaxCategoryName  = 100
	MaxProductTitle  = 200
	MaxDescription   = 5000
	MaxStoreName     = 100
	MaxStoreLocation = 200
)

// CategoryInput is the body of POST /api/categories/ (name required) and of
// PATCH /api/categories/{id}/. A nil field is not changed; JSON null counts as
// absent.
type CategoryInput struct {
	Name *string `json:"name,omitempty"`
}

// ProductInput is the body of POST /api/products/ (title, price and
// category_id required; description defaults to "") and of PATCH
// /api/products/{id}/, which changes only the fields given. A nil field is not
// changed; JSON null counts as absent.
type ProductInput struct {
	Title       *string `json:"title,omitempty"`
	Description *string `json:"description,omitempty"`
	Price       *Money  `json:"price,omitempty"`
	CategoryID  *int64  `json:"category_id,omitempty"`
	// SKU sets the SKU; a pointer to "" removes it (so does JSON null or ""
	// on the wire). Barcodes, when not nil, replaces the whole list (an
	// empty list removes them all).
	SKU      *string   `json:"sku,omitempty"`
	Barcodes *[]string `json:"barcodes,omitempty"`
}

// StoreInput is the body of POST /api/stores/ (name required; location
// defaults to "") and of PATCH /api/stores/{id}/. A nil field is not changed;
// JSON null counts as absent.
type StoreInput struct {
	Name     *string `json:"name,omitempty"`
	Location *string `json:"location,omitempty"`
}
