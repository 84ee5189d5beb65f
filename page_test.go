package aforro_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aforro/aforro"
)

func TestPageJSON(t *testing.T) {
	tests := []struct {
		name string
		page aforro.Page[aforro.Money]
		want string
	}{
		{"first page", aforro.Page[aforro.Money]{Count: 1000, Page: 1, PageSize: 2, TotalPages: 500, HasNext: true,
			CountCapped: true, NextCursor: "abc", Results: []aforro.Money{5, 123456}},
			`{"count":1000,"page":1,"page_size":2,"total_pages":500,"has_next":true,"has_previous":false,"count_capped":true,"next_cursor":"abc","results":["0.05","1234.56"]}`},
		{"cursor page, the last", aforro.Page[aforro.Money]{PageSize: 2, HasPrevious: true, Cursored: true, Results: []aforro.Money{100}},
			`{"count":null,"page":null,"page_size":2,"total_pages":null,"has_next":false,"has_previous":true,"next_cursor":null,"results":["1.00"]}`},
		{"empty", aforro.Page[aforro.Money]{Page: 1, PageSize: 20},
			`{"count":0,"page":1,"page_size":20,"total_pages":0,"has_next":false,"has_previous":false,"next_cursor":null,"results":[]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range []any{tc.page, tc.page.Wire()} {
				b, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				if string(b) != tc.want {
					t.Fatalf("got  %s\nwant %s", b, tc.want)
				}
			}
			var back aforro.Page[aforro.Money]
			if err := json.Unmarshal([]byte(tc.want), &back); err != nil {
				t.Fatal(err)
			}
			if b, _ := json.Marshal(back); string(b) != tc.want {
				t.Errorf("round trip: %s", b)
			}
		})
	}
}

// BenchmarkInventoryPageJSON encodes a full page of inventory rows, the
// body of the busiest list.
func BenchmarkInventoryPageJSON(b *testing.B) {
	page := aforro.Page[aforro.InventoryItem]{Count: 1000, Page: 1, PageSize: 20, TotalPages: 50, HasNext: true,
		CountCapped: true, NextCursor: "AVsiNzAlIENvY29hIEdyYW5vbGEgMTYgb3oiLCIzODAiXTdouZSJ8whzu0qdWF0A12k"}
	for i := range 20 {
		page.Results = append(page.Results, aforro.InventoryItem{ID: int64(i), ProductID: int64(1000 + i),
			ProductTitle: "70% Cocoa Granola 16 oz", Price: 1100, CategoryName: "Grocery", Quantity: 78,
			UpdatedAt: time.Date(2026, 9, 21, 16, 10, 6, 0, time.UTC)})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := aforro.MarshalResponse(page.Wire()); err != nil {
			b.Fatal(err)
		}
	}
}
