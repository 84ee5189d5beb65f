package seed

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestStockCountsDense checks how many products each store stocks, capped and
// dense: the cap cuts the same shares that a dense seed keeps whole.
func TestStockCountsDense(t *testing.T) {
	t.Parallel()
	big := Options{Categories: 15, Products: 1_000_000, Stores: 100, Seed: 1}
	capped := stockCounts(big)
	big.Dense = true
	dense := stockCounts(big)
	total := 0
	for i := range dense {
		if capped[i] != maxStockedPerStore {
			t.Errorf("store %d stocks %d products capped, want %d", i+1, capped[i], maxStockedPerStore)
		}
		if dense[i] < 200_000 || dense[i] > 300_000 {
			t.Errorf("store %d stocks %d products dense, want 20-30%% of 1,000,000", i+1, dense[i])
		}
		total += dense[i]
	}
	// Stratified shares: the total stays near a quarter of products × stores.
	if total < 24_750_000 || total > 25_250_000 {
		t.Errorf("dense stores stock %d products in all, want 25,000,000 ± 1%%", total)
	}
	if again := stockCounts(big); !cmp.Equal(dense, again) {
		t.Errorf("the same options gave other counts: %v, then %v", dense, again)
	}

	// Below the cap the option changes nothing.
	small := Options{Categories: 15, Products: 20_000, Stores: 10, Seed: 3}
	want := stockCounts(small)
	small.Dense = true
	if diff := cmp.Diff(want, stockCounts(small)); diff != "" {
		t.Errorf("dense counts under the cap differ (-capped +dense):\n%s", diff)
	}
}
