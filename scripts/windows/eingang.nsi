; Eingang's Windows installer (NSIS 3, built on Debian by scripts/windows.sh installer).
; Per machine, German (default) and English, the way tauri.conf.json → bundle.windows
; describes it: installed to %ProgramFiles%\Eingang, the desktop app (eingang-app.exe) and
; the command line (eingang.exe, a console program: a windows-subsystem app cannot write
; to a console), start-menu entries, an uninstaller registered with Windows, the folder of
; the machine's configuration (%ProgramData%\Eingang, where software distribution writes
; config.toml) made. No downgrades. The WebView2 runtime: present → nothing to do;
; missing → the offline installer embedded at build time (WEBVIEW2_INSTALLER) is run
; silently, or, when none was embedded, the installation stops and says what is needed.
; /S installs silently (software distribution); /P — what the app's updater passes — installs
; without questions too. A running Eingang is asked to close first (its windows get the
; close message, as when the user closes them), so its files can be replaced.
; Code signing: SIGN_COMMAND (e.g. signtool with the city's certificate), run on the
; installer and the uninstaller; without it they stay unsigned (the placeholder).
;
; makensis -DVERSION=0.1.0 -DAPP=eingang-app.exe -DCLI=eingang.exe -DLOADER=WebView2Loader.dll -DOUT=setup.exe
;          [-DWEBVIEW2_INSTALLER=MicrosoftEdgeWebView2RuntimeInstallerX64.exe]
;          [-DSIGN_COMMAND='signtool sign … "%1"'] eingang.nsi

; A 64-bit installer: Eingang is x64 only (and Wine here runs 64-bit programs only).
Target amd64-unicode
; -DCOMPRESSOR=zlib for a quick test installer (scripts/windows.sh ci).
!ifndef COMPRESSOR
  !define COMPRESSOR "/SOLID lzma"
!endif
SetCompressor ${COMPRESSOR}
!include "MUI2.nsh"
!include "x64.nsh"
!include "LogicLib.nsh"
!include "WordFunc.nsh"
!include "FileFunc.nsh"

!ifndef VERSION
  !error "VERSION is needed (-DVERSION=…)"
!endif
!define PRODUCT "Eingang"
!define PUBLISHER "Eingang contributors"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Eingang"
; The app's warnings and errors go to the Event Log (Application, source Eingang); .NET's
; message file (on every Windows 10/11) shows each event's own text.
!define EVENTLOG_KEY "SYSTEM\CurrentControlSet\Services\EventLog\Application\Eingang"
; The WebView2 runtime's client id (Evergreen), as Microsoft documents for installers.
!define WEBVIEW2_KEY "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

!ifdef SIGN_COMMAND
  !finalize '${SIGN_COMMAND}'
  !uninstfinalize '${SIGN_COMMAND}'
!endif

Name "${PRODUCT}"
OutFile "${OUT}"
InstallDir "$PROGRAMFILES64\${PRODUCT}"
RequestExecutionLevel admin
ShowInstDetails show
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "FileDescription" "${PRODUCT} Setup"
VIAddVersionKey /LANG=0 "LegalCopyright" "EUPL-1.2"

!define MUI_ABORTWARNING
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\eingang-app.exe"
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
; The first language is the default: German.
!insertmacro MUI_LANGUAGE "German"
!insertmacro MUI_LANGUAGE "English"

LangString NeedsWebView2 ${LANG_GERMAN} "Eingang braucht die Microsoft-Edge-WebView2-Laufzeit. Sie ist auf diesem Rechner nicht installiert und diesem Installationsprogramm nicht beigelegt. Bitte installieren Sie sie (Softwareverteilung oder Microsoft) und starten Sie die Installation erneut."
LangString NeedsWebView2 ${LANG_ENGLISH} "Eingang needs the Microsoft Edge WebView2 runtime. It is not installed on this computer and not included in this installer. Please install it (software distribution or Microsoft) and run this installation again."
LangString WebView2Failed ${LANG_GERMAN} "Die WebView2-Laufzeit ließ sich nicht installieren (Fehler $0). Eingang wurde nicht installiert."
LangString WebView2Failed ${LANG_ENGLISH} "The WebView2 runtime could not be installed (error $0). Eingang was not installed."
LangString NoDowngrade ${LANG_GERMAN} "Auf diesem Rechner ist Eingang $0 installiert, neuer als ${VERSION}. Eine ältere Version wird nicht darüber installiert."
LangString NoDowngrade ${LANG_ENGLISH} "Eingang $0 is installed on this computer, newer than ${VERSION}. An older version is not installed over it."
LangString CommandLine ${LANG_GERMAN} "Eingang (Kommandozeile)"
LangString CommandLine ${LANG_ENGLISH} "Eingang (command line)"
LangString Uninstall ${LANG_GERMAN} "Eingang deinstallieren"
LangString Uninstall ${LANG_ENGLISH} "Uninstall Eingang"

Function .onInit
  ${IfNot} ${RunningX64}
    Abort
  ${EndIf}
  ; The updater's /P: no questions, like /S.
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/P" $R1
  ${IfNot} ${Errors}
    SetSilent silent
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
  ; No downgrades (tauri.conf.json: allowDowngrades false).
  ReadRegStr $0 HKLM "${UNINSTALL_KEY}" "DisplayVersion"
  ${If} $0 != ""
    ${VersionCompare} "$0" "${VERSION}" $1
    ${If} $1 == 1
      MessageBox MB_ICONSTOP "$(NoDowngrade)" /SD IDOK
      SetErrorLevel 3
      Abort
    ${EndIf}
  ${EndIf}
FunctionEnd

Section "Eingang" Main
  SectionIn RO
  ; The WebView2 runtime, as configured: there, or installed from the embedded offline
  ; installer, or the installation stops with the reason.
  ReadRegStr $0 HKLM "${WEBVIEW2_KEY}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    !ifdef WEBVIEW2_INSTALLER
      File "/oname=$PLUGINSDIR\webview2.exe" "${WEBVIEW2_INSTALLER}"
      ExecWait '"$PLUGINSDIR\webview2.exe" /silent /install' $0
      ${If} $0 != 0
        MessageBox MB_ICONSTOP "$(WebView2Failed)" /SD IDOK
        SetErrorLevel 3
        Abort
      ${EndIf}
    !else
      MessageBox MB_ICONSTOP "$(NeedsWebView2)" /SD IDOK
      SetErrorLevel 3
      Abort
    !endif
  ${EndIf}

  ; A running Eingang (the updater started this installer from it) closes as when the user
  ; closes it; its files are replaced once it has gone (up to 30 s).
  nsExec::Exec 'taskkill /IM eingang-app.exe'
  Pop $0
  StrCpy $1 0
  ${Do}
    nsExec::Exec 'cmd /c tasklist /FI "IMAGENAME eq eingang-app.exe" | find /I "eingang-app.exe"'
    Pop $0
    ${If} $0 != 0
    ${OrIf} $1 >= 60
      ${ExitDo}
    ${EndIf}
    Sleep 500
    IntOp $1 $1 + 1
  ${Loop}

  SetOutPath "$INSTDIR"
  File "/oname=eingang-app.exe" "${APP}"
  File "/oname=eingang.exe" "${CLI}"
  ; The GNU build links the WebView2 loader dynamically: it goes beside the app.
  File "/oname=WebView2Loader.dll" "${LOADER}"
  ; The machine's configuration lives here ($APPDATA is %ProgramData% for "all users";
  ; IT's software distribution writes config.toml).
  CreateDirectory "$APPDATA\Eingang"

  CreateDirectory "$SMPROGRAMS\Eingang"
  CreateShortcut "$SMPROGRAMS\Eingang\Eingang.lnk" "$INSTDIR\eingang-app.exe"
  CreateShortcut "$SMPROGRAMS\Eingang\$(Uninstall).lnk" "$INSTDIR\uninstall.exe"

  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\eingang-app.exe"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  WriteRegExpandStr HKLM "${EVENTLOG_KEY}" "EventMessageFile" "%SystemRoot%\Microsoft.NET\Framework64\v4.0.30319\EventLogMessages.dll"
  WriteRegDWORD HKLM "${EVENTLOG_KEY}" "TypesSupported" 7
SectionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

; The user's data (%LOCALAPPDATA%\Eingang: drafts, batches, the outbox) and the machine's
; configuration stay: an uninstall never deletes what was not delivered.
Section "Uninstall"
  Delete "$INSTDIR\eingang-app.exe"
  Delete "$INSTDIR\eingang.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\Eingang\Eingang.lnk"
  Delete "$SMPROGRAMS\Eingang\$(Uninstall).lnk"
  RMDir "$SMPROGRAMS\Eingang"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  DeleteRegKey HKLM "${EVENTLOG_KEY}"
SectionEnd
