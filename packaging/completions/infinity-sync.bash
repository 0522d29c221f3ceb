# bash completion for infinity-sync                           -*- shell-script -*-
# Keep in step with the command table in src/cli/app.cpp.

_infinity_sync() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null 2>&1; then
    _init_completion || return
  else
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi

  local commands="run status serve heartbeat history init trace wait notify"
  local global="--config --help --version"

  case "$prev" in
    --config)
      COMPREPLY=($(compgen -f -X '!*.@(yaml|yml)' -o plusdirs -- "$cur"))
      return ;;
    --only)
      local checks="auth git docker gcp cloudflare"
      local prefix="" last="$cur"
      if [[ "$cur" == *,* ]]; then prefix="${cur%,*},"; last="${cur##*,}"; fi
      COMPREPLY=($(compgen -P "$prefix" -W "$checks" -- "$last"))
      return ;;
    --interval|--timeout)
      COMPREPLY=($(compgen -W "10s 30s 1m 5m 10m 15m 1h" -- "$cur"))
      return ;;
    --for)
      COMPREPLY=($(compgen -W "live synced" -- "$cur"))
      return ;;
    --listen)
      COMPREPLY=($(compgen -W "127.0.0.1:3001" -- "$cur"))
      return ;;
  esac

  local command="" i
  for ((i = 1; i < cword; i++)); do
    case "${words[i]}" in
      --config) ((i++)) ;;
      -*) ;;
      *) command="${words[i]}"; break ;;
    esac
  done

  local run_flags="--dry-run --yes -y --verbose -v --json --only --watch --interval --explain"
  case "$command" in
    "")
      if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$global $run_flags" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
      fi ;;
    run) COMPREPLY=($(compgen -W "$run_flags --config --help" -- "$cur")) ;;
    status) COMPREPLY=($(compgen -W "--json --config --help" -- "$cur")) ;;
    serve) COMPREPLY=($(compgen -W "--listen --config --help" -- "$cur")) ;;
    heartbeat)
      if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "--json --config --help" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "github gcp cloudflare" -- "$cur"))
      fi ;;
    history) COMPREPLY=($(compgen -W "--json --limit --check --since --heartbeats --target --config --help" -- "$cur")) ;;
    init) COMPREPLY=($(compgen -W "--force --config --help" -- "$cur")) ;;
    notify)
      if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "--sender --config --help" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "test" -- "$cur"))
      fi ;;
    trace) COMPREPLY=($(compgen -W "--json --config --help" -- "$cur")) ;;
    wait) COMPREPLY=($(compgen -W "--for --timeout --interval --config --help" -- "$cur")) ;;
  esac
}
complete -F _infinity_sync infinity-sync
