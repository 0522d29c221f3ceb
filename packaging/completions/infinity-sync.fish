# fish completion for infinity-sync. Keep in step with src/cli/app.cpp.
set -l commands run status serve heartbeat history init trace wait notify

complete -c infinity-sync -f
complete -c infinity-sync -l config -r -F -d 'configuration file'
complete -c infinity-sync -l help -d 'print help'
complete -c infinity-sync -l version -d 'print the version'

complete -c infinity-sync -n "not __fish_seen_subcommand_from $commands" -a run -d 'run every enabled check (default)'
complete -c infinity-sync -n "not __fish_seen_subcommand_from $commands" -a status -d 'print the last status document'
complete -c infinity-sync -n "not __fish_seen_subcommand_from $commands" -a serve -d 'REST API, dashboard, live loop'
complete -c infinity-sync -n "not __fish_seen_subcommand_from $commands" -a heartbeat -d 'one live heartbeat round'
complete -c infinity-sync -n "not __fish_seen_subcommand_from $commands" -a init -d 'write a starter infinity-sync.yaml'

set -l run_cond "not __fish_seen_subcommand_from status serve heartbeat history init trace wait notify"
complete -c infinity-sync -n $run_cond -l dry-run -d 'never change anything'
complete -c infinity-sync -n $run_cond -s y -l yes -d 'apply every offered fix without asking'
complete -c infinity-sync -n $run_cond -s v -l verbose -d 'print each external call'
complete -c infinity-sync -n $run_cond -l json -d 'print the status document'
complete -c infinity-sync -n $run_cond -l only -x -a 'auth git docker gcp cloudflare' -d 'run a subset'
complete -c infinity-sync -n $run_cond -l watch -d 'run again every --interval until Ctrl-C'
complete -c infinity-sync -n $run_cond -l interval -x -a '30s 1m 5m 15m 1h' -d 'time between runs'
complete -c infinity-sync -n $run_cond -l explain -d 'why each check got its status'
complete -c infinity-sync -n "__fish_seen_subcommand_from status" -l json -d 'print the document'
complete -c infinity-sync -n "__fish_seen_subcommand_from serve" -l listen -x -d 'HOST:PORT'
complete -c infinity-sync -n "not __fish_seen_subcommand_from $commands" -a history -d 'past runs and status transitions'
complete -c infinity-sync -n "__fish_seen_subcommand_from history" -l json -d 'print JSON'
complete -c infinity-sync -n "__fish_seen_subcommand_from history" -l limit -r -d 'at most N runs'
complete -c infinity-sync -n "__fish_seen_subcommand_from history" -l check -r -d 'only this check'
complete -c infinity-sync -n "__fish_seen_subcommand_from history" -l since -r -d 'only from this time'
complete -c infinity-sync -n "__fish_seen_subcommand_from history" -l heartbeats -d 'heartbeat samples instead of runs'
complete -c infinity-sync -n "__fish_seen_subcommand_from history" -l target -r -a "github gcp cloudflare" -d 'with --heartbeats: only this target'
complete -c infinity-sync -n "__fish_seen_subcommand_from heartbeat" -a 'github gcp cloudflare'
complete -c infinity-sync -n "__fish_seen_subcommand_from heartbeat" -l json -d 'print JSON'
complete -c infinity-sync -n "__fish_seen_subcommand_from init" -l force -d 'overwrite an existing file'
complete -c infinity-sync -n "not __fish_seen_subcommand_from $commands" -a trace wait notify -d 'check the notification setup'
complete -c infinity-sync -n "__fish_seen_subcommand_from trace wait notify" -a test -d 'send a test message through each sender'
complete -c infinity-sync -n "__fish_seen_subcommand_from trace wait notify" -l sender -r -d 'only this sender: index or type'
