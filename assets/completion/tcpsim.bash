# bash completion for tcpsim and tcpsim-gui.
# Subcommands and options are read from the program's own --help, so they
# never drift from it; scenario arguments complete to *.yaml files.
_tcpsim() {
  local cur prev words cword
  _init_completion || return
  local sub="" i
  for ((i = 1; i < cword; i++)); do
    case ${words[i]} in -*) ;; *) sub=${words[i]}; break ;; esac
  done
  if [[ -z $sub ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W '--help --version' -- "$cur"))
    else
      local subs
      subs=$("$1" --help 2>/dev/null | sed -n '/^Subcommands:/,$ s/^  \([a-z][a-z-]*\) .*/\1/p')
      COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    fi
    return
  fi
  if [[ $cur == -* ]]; then
    local opts
    opts=$("$1" "$sub" --help 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi
  case $prev in
    --lang) COMPREPLY=($(compgen -W 'en zh_CN' -- "$cur")); return ;;
    --format) COMPREPLY=($(compgen -W 'text jsonl summary' -- "$cur")); return ;;
    --time) COMPREPLY=($(compgen -W 'compressed linear textbook' -- "$cur")); return ;;
    --profile-b) COMPREPLY=($(compgen -W 'linux rfc9293' -- "$cur")); return ;;
  esac
  _filedir '@(yaml|yml)'
}
complete -F _tcpsim tcpsim

_tcpsim_gui() {
  local cur prev words cword
  _init_completion || return
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$("$1" --help 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)" -- "$cur"))
    return
  fi
  case $prev in
    --lang) COMPREPLY=($(compgen -W 'en zh_CN' -- "$cur")); return ;;
    --screenshot) _filedir png; return ;;
  esac
  _filedir '@(yaml|yml)'
}
complete -F _tcpsim_gui tcpsim-gui
