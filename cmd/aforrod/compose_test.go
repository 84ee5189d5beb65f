package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// composeFile is what TestComposeFile reads of docker-compose.yml.
type composeFile struct {
	Services map[string]struct {
		Command     []string `yaml:"command"`
		User        string   `yaml:"user"`
		Healthcheck struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		DependsOn map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
	} `yaml:"services"`
}

// TestComposeFile checks what makes the first docker compose up on an empty
// volume work, since no Docker engine runs the file in CI: PostgreSQL is
// healthy only once it answers over TCP (the image's first, socket-only
// server passes a socket check), migrate waits for that, aforrod's health is
// its readiness (the proxy of the "many" profile waits for its three
// instances' readiness), and the Aforro services run as the image's numeric
// user.
func TestComposeFile(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	pg, ok := f.Services["postgres"]
	if !ok {
		t.Fatal("no postgres service")
	}
	if test := pg.Healthcheck.Test; !slices.Contains(test, "pg_isready") || !slices.Contains(test, "-h") ||
		slices.Contains(test, "localhost") {
		t.Errorf("postgres healthcheck %q: want pg_isready over TCP (-h 127.0.0.1)", test)
	}
	for _, name := range []string{"aforrod", "aforrod-a", "aforrod-b", "aforrod-c"} {
		if h := f.Services[name].Healthcheck.Test; !strings.Contains(strings.Join(h, " "), "/readyz") {
			t.Errorf("%s healthcheck %q: want /readyz", name, h)
		}
	}
	for _, name := range []string{"aforrod-a", "aforrod-b", "aforrod-c"} {
		if dep := f.Services["proxy"].DependsOn[name].Condition; dep != "service_healthy" {
			t.Errorf("the proxy depends on %s with condition %q, want service_healthy", name, dep)
		}
	}
	for _, name := range []string{"migrate", "aforrod", "aforrod-a", "aforrod-b", "aforrod-c"} {
		svc, ok := f.Services[name]
		if !ok {
			t.Errorf("no %s service", name)
			continue
		}
		if dep := svc.DependsOn["postgres"].Condition; dep != "service_healthy" {
			t.Errorf("%s depends on postgres with condition %q, want service_healthy", name, dep)
		}
		if svc.User != "10001:10001" {
			t.Errorf("%s runs as %q, want the image's numeric user 10001:10001", name, svc.User)
		}
	}
	if dep := f.Services["aforrod"].DependsOn["migrate"].Condition; dep != "service_completed_successfully" {
		t.Errorf("aforrod depends on migrate with condition %q, want service_completed_successfully", dep)
	}
	df, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(df), "\nUSER 10001:10001\n") {
		t.Error("the Dockerfile's USER is not numeric (10001:10001)")
	}
}
