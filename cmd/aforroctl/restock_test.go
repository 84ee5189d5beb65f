package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aforro/aforro/client"
)

// TestRestockExample runs the README's restock loop, as written, against a
// real server, with this test binary standing in for aforroctl on PATH (see
// runAsMainEnv).
func TestRestockExample(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatalf("the restock example is a bash script: %v", err)
	}
	srv := newTestServer(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.Symlink(self, filepath.Join(bin, "aforroctl")); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"AFORRO_URL=" + srv.URL,
		"AFORRO_TOKEN=" + srv.Admin,
		"XDG_CONFIG_HOME=" + t.TempDir(),
		runAsMainEnv + "=1",
	}
	restock := func(t *testing.T, name, csv string) (stdout, stderr string, code int) {
		t.Helper()
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bash, filepath.Join("testdata", "restock-example.sh"), "1", path)
		cmd.Env = env
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			code = ee.ExitCode()
		case err != nil:
			t.Fatal(err)
		}
		return out.String(), errOut.String(), code
	}

	// A spreadsheet's export: a header, CRLF line ends, a blank line, a
	// comment, spaces, a product the store does not stock yet (6 is made
	// below) and no newline at the end.
	srv.Exec(t, `INSERT INTO products (id, title, description, price, category_id) VALUES (6, 'Mouse Pad', '', 5, 1)`)
	stdout, stderr, code := restock(t, "delivery-2211.csv",
		"product_id,quantity\r\n2,40\r\n\r\n# the laptops come next week\r\n 3 , 25\r\n6,12")
	if want := "product 2: 40 in stock\nproduct 3: 25 in stock\nproduct 6: 12 in stock\n"; code != 0 || stdout != want || stderr != "" {
		t.Fatalf("exit %d\nstdout %q\nstderr %q\nwant exit 0, stdout %q", code, stdout, stderr, want)
	}
	c := srv.apiClient(t)
	ctx := context.Background()
	for product, want := range map[int64]int{2: 40, 3: 25, 6: 12, 1: 10} {
		it, err := c.InventoryItem(ctx, 1, product)
		if err != nil || it.Quantity != want {
			t.Errorf("product %d: %d in stock (%v), want %d", product, it.Quantity, err, want)
		}
	}
	page, err := c.ListMovements(ctx, 1, 2, client.PageOptions{})
	if err != nil || len(page.Results) == 0 || page.Results[0].Reason != "received" || page.Results[0].Reference != "delivery-2211.csv" {
		t.Errorf("ledger of product 2: %+v, %v; want received, the file named as the reference", page.Results, err)
	}

	// A bad line fails alone: the others are still restocked, the exit
	// status is 1 and aforroctl's message says why.
	stdout, stderr, code = restock(t, "delivery-2212.csv", "99,5\n2,41\n")
	if code != 1 || stdout != "product 2: 41 in stock\n" || stderr != "aforroctl: Product 99 not found.\n" {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1, product 2 restocked and product 99 not found", code, stdout, stderr)
	}
}
