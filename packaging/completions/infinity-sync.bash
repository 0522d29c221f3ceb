# bash completion for infinity-sync                           -*- shell-script -*-
# Keep in step with the command table in src/cli/app.cpp. Works with and
# without the bash-completion package (its functions are used when loaded).

# The checks of the configuration the command line names (--config), from
# `infinity-sync run --list-checks`: column 1 (names for --only) or 2 (keys for
# history --check). The five built-in ones when the program cannot say.
_infinity_sync_checks() {
  local column=$1 config="" i
  for ((i = 1; i < cword; i++)); do
    case "${words[i]}" in
      --config) config="${words[i+1]}"; [[ "$config" == "=" ]] && config="${words[i+2]}" ;;
      --config=*) config="${words[i]#--config=}" ;;
    esac
  done
  [[ "$config" == "~/"* ]] && config="$HOME/${config#"~/"}"
  local program="${words[0]}" listed
  [[ "$program" == "~/"* ]] && program="$HOME/${program#"~/"}"
  listed=$("$program" ${config:+--config "$config"} run --list-checks 2>/dev/null |
    while read -r name key; do
      if [ "$column" = 1 ]; then echo "$name"; else echo "$key"; fi
    done)
  if [ -n "$listed" ]; then
    echo "$listed"
  elif [ "$column" = 1 ]; then
    echo auth git docker gcp cloudflare
  else
    echo AuthCheck GitSync DockerSync GCPSync CloudflareCheck
  fi
}

_infinity_sync() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null 2>&1; then
    _init_completion -n : || return
  else
    # bash splits words at COMP_WORDBREAKS (':' and '='): put the pieces of
    # CustomCheck:redis back together, as bash-completion's -n : does.
    local i w
    words=()
    for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
      w="${COMP_WORDS[i]}"
      if ((i > 1)) && [[ "$w" == : || "${COMP_WORDS[i-1]}" == : ]]; then
        words[${#words[@]}-1]+="$w"
      else
        words+=("$w")
      fi
      ((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
    done
    cur="${words[cword]}"
    prev="${words[cword-1]}"
  fi
  # --only=git,d: bash makes "=" a word of its own.
  [[ "$prev" == "=" ]] && prev="${words[cword-2]}"

  local commands="run status serve heartbeat history fleet init trace wait notify help"
  local global="--config --help --version"

  case "$prev" in
    --config)
      # Folders and *.yaml/*.yml files; plain compgen, so that it works
      # without bash-completion's _filedir and without extglob.
      local IFS=$'\n'
      COMPREPLY=($(compgen -d -- "$cur"; compgen -f -X '!*.yaml' -- "$cur"; compgen -f -X '!*.yml' -- "$cur"))
      compopt -o filenames 2>/dev/null
      return ;;
    --check)
      COMPREPLY=($(compgen -W "$(_infinity_sync_checks 2)" -- "$cur"))
      # bash replaces only the text after the last ':' of the word.
      if [[ "$cur" == *:* && "$COMP_WORDBREAKS" == *:* ]]; then
        local i colon_prefix="${cur%"${cur##*:}"}"
        for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]="${COMPREPLY[i]#"$colon_prefix"}"; done
      fi
      return ;;
    --only|--skip)
      local checks
      checks=$(_infinity_sync_checks 1)
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
      --config) ((i++)); [[ "${words[i]}" == "=" ]] && ((i++)) ;;
      -*) ;;
      *) command="${words[i]}"; break ;;
    esac
  done

  local run_flags="--dry-run --yes -y --verbose -v --json --only --skip --watch --interval --explain --list-checks"
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
    fleet) COMPREPLY=($(compgen -W "--json --config --help" -- "$cur")) ;;
    init) COMPREPLY=($(compgen -W "--force --config --help" -- "$cur")) ;;
    notify)
      if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "--sender --config --help" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "test" -- "$cur"))
      fi ;;
    trace) COMPREPLY=($(compgen -W "--json --config --help" -- "$cur")) ;;
    wait) COMPREPLY=($(compgen -W "--for --timeout --interval --config --help" -- "$cur")) ;;
    help) COMPREPLY=($(compgen -W "$commands config" -- "$cur")) ;;
  esac
}
complete -F _infinity_sync infinity-sync
