// service_names.h: the services of a yubin tree, each with a log/ service.
//
//   for (const char* name : setup::kServiceNames) Check(root + "/service/" + name);
//
// smtpd (tcpserver + yubin-smtpd), send (yubin-send), local (yubin-lspawn),
// remote (yubin-rspawn), intake (yubin-intake); services/NAME holds each
// one's template.
#ifndef YUBIN_LIB_SETUP_SERVICE_NAMES_H_
#define YUBIN_LIB_SETUP_SERVICE_NAMES_H_

namespace yubin::setup {

inline constexpr const char* kServiceNames[] = {"smtpd", "send", "local",
                                                "remote", "intake"};

}  // namespace yubin::setup

#endif  // YUBIN_LIB_SETUP_SERVICE_NAMES_H_
