package main

import (
	"os"
	"testing"

	"github.com/aforro/aforro/db/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }
