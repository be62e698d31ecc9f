; The JPKI kiosk's Windows installer (NSIS 3, Debian's `nsis`). Built by
; scripts/windows/build.sh (`make windows`), which passes VERSION, NAME,
; PUBLISHER, URL, APPID, BINDIR, ICON, OUTFILE and SIGN.
;
; Silent install (all options optional; NSIS's own /D=DIR must come last):
;   jpki-kiosk-setup-X.exe /S /PROFILE=moriya /DATADIR=C:\ProgramData\JPKI Kiosk
;                          /KIOSKUSER=kiosk /D=C:\Program Files\JPKI Kiosk
; Silent uninstall, keeping the data directory (audit database) unless asked:
;   "C:\Program Files\JPKI Kiosk\uninstall.exe" /S [/REMOVEDATA]
Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel admin
ManifestDPIAware true

!include MUI2.nsh
!include FileFunc.nsh
!include LogicLib.nsh
!include x64.nsh
!include StrFunc.nsh
${StrStr}

!define REGKEY "Software\JPKI Kiosk"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\JPKI Kiosk"
!define EVENTKEY "SYSTEM\CurrentControlSet\Services\EventLog\Application\JPKI Kiosk"

Name "${NAME}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\JPKI Kiosk"
InstallDirRegKey HKLM "${REGKEY}" "InstallDir"
BrandingText "${NAME} ${VERSION}"
!ifdef SIGN
!uninstfinalize '"${SIGN}" "%1"'
!endif

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1033 "ProductName" "${NAME}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileDescription" "${NAME} installer"
VIAddVersionKey /LANG=1033 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "${PUBLISHER}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TITLE "${NAME} ${VERSION}"
!define MUI_WELCOMEPAGE_TEXT "This installs the JPKI certificate kiosk and kioskctl into Program Files and its data directory (database, issuer data, logs) under ProgramData, readable only by the kiosk account and administrators.$\r$\n$\r$\nThe Smart Card service (SCardSvr) is set to start automatically.$\r$\n$\r$\nAfter installing, run lockdown.ps1 (in the installation folder) to lock the terminal down."
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
Page custom OptionsPage OptionsLeave
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Japanese"

Var KProfile
Var KDataDir
Var KioskUser
Var RemoveData
Var hProfile
Var hDataDir
Var hKioskUser

; Options: /PROFILE=, /DATADIR=, /KIOSKUSER= (installer); /REMOVEDATA (uninstaller).
Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "The kiosk needs 64-bit Windows." /SD IDOK
    Abort
  ${EndIf}
  SetShellVarContext all
  SetRegView 64
  ReadRegStr $KProfile HKLM "${REGKEY}" "Profile"
  ReadRegStr $KDataDir HKLM "${REGKEY}" "DataDir"
  ReadRegStr $KioskUser HKLM "${REGKEY}" "KioskUser"
  ${If} $KProfile == ""
    StrCpy $KProfile "moriya"
  ${EndIf}
  ${If} $KDataDir == ""
    StrCpy $KDataDir "$APPDATA\JPKI Kiosk"
  ${EndIf}
  ${If} $KioskUser == ""
    StrCpy $KioskUser "kiosk"
  ${EndIf}
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/PROFILE=" $R1
  ${IfNot} ${Errors}
    StrCpy $KProfile $R1
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/DATADIR=" $R1
  ${IfNot} ${Errors}
    StrCpy $KDataDir $R1
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/KIOSKUSER=" $R1
  ${IfNot} ${Errors}
    StrCpy $KioskUser $R1
  ${EndIf}
FunctionEnd

Function OptionsPage
  !insertmacro MUI_HEADER_TEXT "Kiosk settings" "Municipality profile, data directory and the Windows account the kiosk runs as."
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateLabel} 0 0 100% 12u "Municipality profile (moriya, kakamigahara, or a path to a .toml file):"
  ${NSD_CreateText} 0 13u 100% 12u "$KProfile"
  Pop $hProfile
  ${NSD_CreateLabel} 0 32u 100% 12u "Data directory (database, issuer data, logs; kept on uninstall):"
  ${NSD_CreateText} 0 45u 100% 12u "$KDataDir"
  Pop $hDataDir
  ${NSD_CreateLabel} 0 64u 100% 12u "Kiosk account (local user the kiosk runs as; lockdown.ps1 creates it):"
  ${NSD_CreateText} 0 77u 100% 12u "$KioskUser"
  Pop $hKioskUser
  nsDialogs::Show
FunctionEnd

Function OptionsLeave
  ${NSD_GetText} $hProfile $KProfile
  ${NSD_GetText} $hDataDir $KDataDir
  ${NSD_GetText} $hKioskUser $KioskUser
  ${If} $KProfile == ""
  ${OrIf} $KDataDir == ""
  ${OrIf} $KioskUser == ""
    MessageBox MB_ICONEXCLAMATION "Profile, data directory and kiosk account are all needed."
    Abort
  ${EndIf}
FunctionEnd

Section "Kiosk" SecMain
  SectionIn RO
  SetShellVarContext all
  SetRegView 64
  SetOutPath "$INSTDIR"
  File "${BINDIR}\jpki-kiosk.exe"
  File "${BINDIR}\kioskctl.exe"
  File "${ICON}"
  File "/oname=lockdown.ps1" "${SCRIPTDIR}\lockdown.ps1"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; The data directory: only the kiosk account and Administrators (S-1-5-32-544).
  CreateDirectory "$KDataDir"
  CreateDirectory "$KDataDir\logs"
  nsExec::ExecToLog 'icacls "$KDataDir" /inheritance:r /grant:r "*S-1-5-32-544:(OI)(CI)F" /T /C /Q'
  Pop $0
  DetailPrint "icacls (Administrators): $0"
  nsExec::ExecToLog 'icacls "$KDataDir" /grant:r "$KioskUser:(OI)(CI)M" /T /C /Q'
  Pop $0
  ${If} $0 != 0
    DetailPrint "Kiosk account $KioskUser not found yet: lockdown.ps1 creates it and grants it the data directory."
  ${EndIf}

  ; Configuration read by lockdown.ps1 and the shortcuts.
  WriteRegStr HKLM "${REGKEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${REGKEY}" "DataDir" "$KDataDir"
  WriteRegStr HKLM "${REGKEY}" "Profile" "$KProfile"
  WriteRegStr HKLM "${REGKEY}" "KioskUser" "$KioskUser"
  WriteRegStr HKLM "${REGKEY}" "Version" "${VERSION}"

  ; Event Log source for the kiosk's operational messages.
  WriteRegExpandStr HKLM "${EVENTKEY}" "EventMessageFile" "%SystemRoot%\System32\EventCreate.exe"
  WriteRegDWORD HKLM "${EVENTKEY}" "TypesSupported" 7
  WriteRegDWORD HKLM "${EVENTKEY}" "CustomSource" 1

  ; Start menu: the kiosk, kioskctl in a console, the uninstaller.
  CreateDirectory "$SMPROGRAMS\JPKI Kiosk"
  CreateShortcut "$SMPROGRAMS\JPKI Kiosk\JPKI Kiosk.lnk" "$INSTDIR\jpki-kiosk.exe" \
    '-profile "$KProfile" -data "$KDataDir"' "$INSTDIR\icon.ico"
  CreateShortcut "$SMPROGRAMS\JPKI Kiosk\JPKI Kiosk (demo).lnk" "$INSTDIR\jpki-kiosk.exe" \
    '-demo -windowed' "$INSTDIR\icon.ico"
  CreateShortcut "$SMPROGRAMS\JPKI Kiosk\kioskctl.lnk" "$SYSDIR\cmd.exe" \
    '/k cd /d "$INSTDIR" && kioskctl.exe' "$INSTDIR\icon.ico"
  CreateShortcut "$SMPROGRAMS\JPKI Kiosk\Uninstall JPKI Kiosk.lnk" "$INSTDIR\uninstall.exe"

  ; Add/remove programs.
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "${NAME}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTKEY}" "URLInfoAbout" "${URL}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\icon.ico"
  WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1

  ; The Smart Card service must start by itself (Windows stops it when the
  ; last reader is unplugged; the kiosk's monitor waits for it to return).
  nsExec::ExecToLog 'sc.exe config SCardSvr start= auto'
  Pop $0
  DetailPrint "sc config SCardSvr start= auto: $0"
  ; Check: `sc qc` must now say AUTO_START. The result is recorded
  ; (SCardSvrAutoStart 1/0) for IT's inventory and the tests.
  nsExec::ExecToStack 'sc.exe qc SCardSvr'
  Pop $0
  Pop $1
  ${StrStr} $R3 $1 "AUTO_START"
  ${If} $0 != 0
  ${OrIf} $R3 == ""
    DetailPrint "WARNING: the Smart Card service (SCardSvr) is missing or not on automatic start (sc qc: $0)."
    WriteRegDWORD HKLM "${REGKEY}" "SCardSvrAutoStart" 0
  ${Else}
    DetailPrint "The Smart Card service (SCardSvr) starts automatically."
    WriteRegDWORD HKLM "${REGKEY}" "SCardSvrAutoStart" 1
  ${EndIf}
SectionEnd

Function un.onInit
  SetShellVarContext all
  SetRegView 64
  ReadRegStr $KDataDir HKLM "${REGKEY}" "DataDir"
  StrCpy $RemoveData 0
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/REMOVEDATA" $R1
  ${IfNot} ${Errors}
    StrCpy $RemoveData 1
  ${EndIf}
FunctionEnd

Section "Uninstall"
  SetShellVarContext all
  SetRegView 64
  Delete "$INSTDIR\jpki-kiosk.exe"
  Delete "$INSTDIR\kioskctl.exe"
  Delete "$INSTDIR\icon.ico"
  Delete "$INSTDIR\lockdown.ps1"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\JPKI Kiosk\*.lnk"
  RMDir "$SMPROGRAMS\JPKI Kiosk"
  DeleteRegKey HKLM "${UNINSTKEY}"
  DeleteRegKey HKLM "${EVENTKEY}"
  ; Never a drive root or a system folder, whatever the registry says.
  StrLen $R2 $KDataDir
  ${If} $R2 < 6
  ${OrIf} $KDataDir == $APPDATA
  ${OrIf} $KDataDir == $WINDIR
  ${OrIf} $KDataDir == $PROGRAMFILES64
    StrCpy $RemoveData 0
  ${EndIf}
  ${If} $RemoveData == 1
  ${AndIf} $KDataDir != ""
    DetailPrint "Removing the data directory $KDataDir (/REMOVEDATA)"
    RMDir /r "$KDataDir"
    DeleteRegKey HKLM "${REGKEY}"
  ${Else}
    DetailPrint "Keeping the data directory $KDataDir (audit database); /REMOVEDATA removes it."
    DeleteRegValue HKLM "${REGKEY}" "InstallDir"
    DeleteRegValue HKLM "${REGKEY}" "Version"
  ${EndIf}
SectionEnd
