package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// config is the file "aforroctl login" writes, so daily use needs no flags.
// "aforroctl tui" adds the store last chosen, to open it next time.
type config struct {
	Server    string `json:"server,omitempty"`
	Token     string `json:"token,omitempty"`
	LastStore int64  `json:"last_store,omitempty"`
}

// settings are the resolved server and token, and where each came from.
type settings struct {
	Server     string
	ServerFrom string // "--server", "AFORRO_URL", the config file's path or "the default"
	Token      string
	TokenFrom  string // "--token", "AFORRO_TOKEN", the config file's path, or "" for no token
	ConfigPath string
}

// configPath returns where the config file lives: aforro/config.json under
// $XDG_CONFIG_HOME when env sets it, else under os.UserConfigDir.
func configPath(env map[string]string) (string, error) {
	dir := env["XDG_CONFIG_HOME"]
	if !filepath.IsAbs(dir) {
		var err error
		if dir, err = os.UserConfigDir(); err != nil {
			return "", fmt.Errorf("find the config directory: %w", err)
		}
	}
	return filepath.Join(dir, "aforro", "config.json"), nil
}

// resolveSettings applies the precedence flag > environment > config file >
// default. The file is read only when a flag or variable leaves something
// unset; a file others may read draws a warning on stderr, as it holds a token.
func resolveSettings(g Globals, env map[string]string, stderr io.Writer) (settings, error) {
	path, err := configPath(env)
	if err != nil {
		return settings{}, err
	}
	s := settings{ConfigPath: path}
	s.Server, s.ServerFrom = g.Server, "--server"
	if s.Server == "" {
		s.Server, s.ServerFrom = env[envServer], envServer
	}
	s.Token, s.TokenFrom = g.Token, "--token"
	if s.Token == "" {
		s.Token, s.TokenFrom = env[envToken], envToken
	}
	if s.Server == "" || s.Token == "" {
		cfg, err := readConfig(path, stderr)
		if err != nil {
			return settings{}, err
		}
		if s.Server == "" && cfg.Server != "" {
			s.Server, s.ServerFrom = cfg.Server, path
		}
		if s.Token == "" {
			s.Token, s.TokenFrom = cfg.Token, path
		}
	}
	if s.Server == "" {
		s.Server, s.ServerFrom = defaultServer, "the default"
	}
	if s.Token == "" {
		s.TokenFrom = ""
	}
	return s, nil
}

// readConfig reads the config file; a missing file is an empty config.
func readConfig(path string, stderr io.Writer) (config, error) {
	var cfg config
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("read config: %w", err)
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return cfg, fmt.Errorf("read config %s: %w (fix it, or run \"aforroctl login\" again)", path, err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(stderr, "aforroctl: warning: %s holds a token but others may read it; run: chmod 600 %s\n", path, path)
	}
	return cfg, nil
}

// writeConfig replaces the config file atomically, readable by its owner only.
func writeConfig(path string, cfg config) error {
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return fmt.Errorf("encode config: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create config directory: %w", err)
	}
	f, err := os.CreateTemp(dir, ".config-*.json")
	if err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	defer os.Remove(f.Name()) // a no-op once renamed
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("write config: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write config: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	return nil
}

// readToken reads a token from r: its first line, trimmed.
func readToken(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err != nil {
		return "", fmt.Errorf("read token from stdin: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line), nil
}
