# fish completion for infinity-sync. Keep in step with src/cli/app.cpp.
set -l commands run status serve heartbeat history fleet init trace wait notify help

# The checks of the configuration on the command line (--config), from
# `infinity-sync run --list-checks`: names (for --only) or keys (for
# history --check). The five built-in ones when the program cannot say.
function __infinity_sync_checks --argument-names column
    set -l tokens (commandline -opc)
    set -l config
    for i in (seq 2 (count $tokens))
        switch $tokens[$i]
            case --config
                set config --config $tokens[(math $i + 1)]
            case '--config=*'
                set config --config (string replace -- --config= '' $tokens[$i])
        end
    end
    set -l listed ($tokens[1] $config run --list-checks 2>/dev/null | string split -f $column ' ' --no-empty)
    if test (count $listed) -gt 0
        printf '%s\n' $listed
    else if test "$column" = 1
        printf '%s\n' auth git docker gcp cloudflare
    else
        printf '%s\n' AuthCheck GitSync DockerSync GCPSync CloudflareCheck
    end
end

# --only git,d<TAB>: the names after the last comma, with what comes before it.
function __infinity_sync_check_list
    set -l current (commandline -ct | string replace -r -- '^--(only|skip)=' '')
    set -l done (string match -r -- '^.*,' $current)
    for name in (__infinity_sync_checks 1)
        printf '%s%s\n' "$done" $name
    end
end

# --config: folders and *.yaml/*.yml files only.
function __infinity_sync_config_files
    set -l current (commandline -ct | string replace -r -- '^--config=' '')
    set -l found $current*.yaml $current*.yml $current*/
    printf '%s\n' $found
end

complete -c infinity-sync -f
complete -c infinity-sync -l config -x -a '(__infinity_sync_config_files)' -d 'configuration file'
complete -c infinity-sync -l help -d 'print help'
complete -c infinity-sync -l version -d 'print the version'

set -l no_command "not __fish_seen_subcommand_from $commands"
complete -c infinity-sync -n $no_command -a run -d 'run every enabled check (default)'
complete -c infinity-sync -n $no_command -a status -d 'print the last status document'
complete -c infinity-sync -n $no_command -a serve -d 'REST API, dashboard, live loop'
complete -c infinity-sync -n $no_command -a heartbeat -d 'one live heartbeat round'
complete -c infinity-sync -n $no_command -a history -d 'past runs and status transitions'
complete -c infinity-sync -n $no_command -a fleet -d 'latest run of every project and environment'
complete -c infinity-sync -n $no_command -a init -d 'write a starter infinity-sync.yaml'
complete -c infinity-sync -n $no_command -a trace -d 'where a commit stands, local to edge'
complete -c infinity-sync -n $no_command -a wait -d 'repeat dry-run syncs until live or synced'
complete -c infinity-sync -n $no_command -a notify -d 'check the notification setup'
complete -c infinity-sync -n $no_command -a help -d 'the commands, or the options of one'
complete -c infinity-sync -n "__fish_seen_subcommand_from help" -a "$commands" -d 'command'
complete -c infinity-sync -n "__fish_seen_subcommand_from help" -a config -d 'the configuration keys'

# `run` flags, also without the word run (it is the default command).
set -l run_cond "not __fish_seen_subcommand_from status serve heartbeat history fleet init trace wait notify help"
complete -c infinity-sync -n $run_cond -l dry-run -d 'never change anything'
complete -c infinity-sync -n $run_cond -s y -l yes -d 'apply every offered fix without asking'
complete -c infinity-sync -n $run_cond -s v -l verbose -d 'print each external call'
complete -c infinity-sync -n $run_cond -l json -d 'print the status document'
complete -c infinity-sync -n $run_cond -l only -x -a '(__infinity_sync_check_list)' -d 'run a subset'
complete -c infinity-sync -n $run_cond -l skip -x -a '(__infinity_sync_check_list)' -d 'run all but these'
complete -c infinity-sync -n $run_cond -l watch -d 'run again every --interval until Ctrl-C'
complete -c infinity-sync -n $run_cond -l interval -x -a '30s 1m 5m 15m 1h' -d 'time between runs'
complete -c infinity-sync -n $run_cond -l explain -d 'why each check got its status'
complete -c infinity-sync -n $run_cond -l list-checks -d 'print the checks and exit'

complete -c infinity-sync -n "__fish_seen_subcommand_from status" -l json -d 'print the document'
complete -c infinity-sync -n "__fish_seen_subcommand_from serve" -l listen -x -a 127.0.0.1:3001 -d 'HOST:PORT'

complete -c infinity-sync -n "__fish_seen_subcommand_from history" -l json -d 'print JSON'
complete -c infinity-sync -n "__fish_seen_subcommand_from fleet" -l json -d 'print JSON'
complete -c infinity-sync -n "__fish_seen_subcommand_from history" -l limit -x -d 'at most N runs'
complete -c infinity-sync -n "__fish_seen_subcommand_from history" -l check -x -a '(__infinity_sync_checks 2)' -d 'only this check'
complete -c infinity-sync -n "__fish_seen_subcommand_from history" -l since -x -d 'only from this time'
complete -c infinity-sync -n "__fish_seen_subcommand_from history" -l heartbeats -d 'heartbeat samples instead of runs'
complete -c infinity-sync -n "__fish_seen_subcommand_from history" -l target -x -a 'github gcp cloudflare' -d 'with --heartbeats: only this target'

complete -c infinity-sync -n "__fish_seen_subcommand_from heartbeat" -a 'github gcp cloudflare'
complete -c infinity-sync -n "__fish_seen_subcommand_from heartbeat" -l json -d 'print JSON'
complete -c infinity-sync -n "__fish_seen_subcommand_from init" -l force -d 'overwrite an existing file'
complete -c infinity-sync -n "__fish_seen_subcommand_from trace" -l json -d 'print the trace as JSON'
complete -c infinity-sync -n "__fish_seen_subcommand_from wait" -l for -x -a 'live synced' -d 'condition'
complete -c infinity-sync -n "__fish_seen_subcommand_from wait" -l timeout -x -a '5m 10m 15m 30m' -d 'give up after'
complete -c infinity-sync -n "__fish_seen_subcommand_from wait" -l interval -x -a '5s 10s 30s 1m' -d 'time between tries'
complete -c infinity-sync -n "__fish_seen_subcommand_from notify; and not __fish_seen_subcommand_from test" -a test -d 'send a test message through each sender'
complete -c infinity-sync -n "__fish_seen_subcommand_from notify" -l sender -x -d 'only this sender: index or type'
