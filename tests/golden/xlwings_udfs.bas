Function IMBEST(Optional peak_dau, Optional peak_groups, Optional needs, Optional price_book)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        IMBEST = XLPy.CallUDF("xlpricing.udf", "IMBEST", Array(peak_dau, peak_groups, needs, price_book), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        IMBEST = XLPy.CallUDF("xlpricing.udf", "IMBEST", Array(peak_dau, peak_groups, needs, price_book))
        Exit Function
    #End If
failed:
    IMBEST = Err.Description
End Function

Function IMBEST_TABLE(Optional peak_dau, Optional peak_groups, Optional needs, Optional price_book)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        IMBEST_TABLE = XLPy.CallUDF("xlpricing.udf", "IMBEST_TABLE", Array(peak_dau, peak_groups, needs, price_book), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        IMBEST_TABLE = XLPy.CallUDF("xlpricing.udf", "IMBEST_TABLE", Array(peak_dau, peak_groups, needs, price_book))
        Exit Function
    #End If
failed:
    IMBEST_TABLE = Err.Description
End Function

Function IMBREAKEVEN(edition_a, Optional addons_a, Optional edition_b, Optional addons_b, Optional peak_groups, Optional price_book)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        IMBREAKEVEN = XLPy.CallUDF("xlpricing.udf", "IMBREAKEVEN", Array(edition_a, addons_a, edition_b, addons_b, peak_groups, price_book), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        IMBREAKEVEN = XLPy.CallUDF("xlpricing.udf", "IMBREAKEVEN", Array(edition_a, addons_a, edition_b, addons_b, peak_groups, price_book))
        Exit Function
    #End If
failed:
    IMBREAKEVEN = Err.Description
End Function

Function IMDEAL(table, Optional months, Optional discount, Optional price_book)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        IMDEAL = XLPy.CallUDF("xlpricing.udf", "IMDEAL", Array(table, months, discount, price_book), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        IMDEAL = XLPy.CallUDF("xlpricing.udf", "IMDEAL", Array(table, months, discount, price_book))
        Exit Function
    #End If
failed:
    IMDEAL = Err.Description
End Function

Function IMDEAL_LINES(table, Optional months, Optional discount, Optional price_book)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        IMDEAL_LINES = XLPy.CallUDF("xlpricing.udf", "IMDEAL_LINES", Array(table, months, discount, price_book), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        IMDEAL_LINES = XLPy.CallUDF("xlpricing.udf", "IMDEAL_LINES", Array(table, months, discount, price_book))
        Exit Function
    #End If
failed:
    IMDEAL_LINES = Err.Description
End Function

Function IMFORECAST(edition, dau_range, Optional groups_range, Optional addons, Optional price_book)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        IMFORECAST = XLPy.CallUDF("xlpricing.udf", "IMFORECAST", Array(edition, dau_range, groups_range, addons, price_book), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        IMFORECAST = XLPy.CallUDF("xlpricing.udf", "IMFORECAST", Array(edition, dau_range, groups_range, addons, price_book))
        Exit Function
    #End If
failed:
    IMFORECAST = Err.Description
End Function

Function IMOVERAGE(edition, Optional peak_dau, Optional peak_groups, Optional price_book)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        IMOVERAGE = XLPy.CallUDF("xlpricing.udf", "IMOVERAGE", Array(edition, peak_dau, peak_groups, price_book), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        IMOVERAGE = XLPy.CallUDF("xlpricing.udf", "IMOVERAGE", Array(edition, peak_dau, peak_groups, price_book))
        Exit Function
    #End If
failed:
    IMOVERAGE = Err.Description
End Function

Function IMPRICE(code, Optional edition, Optional price_book)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        IMPRICE = XLPy.CallUDF("xlpricing.udf", "IMPRICE", Array(code, edition, price_book), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        IMPRICE = XLPy.CallUDF("xlpricing.udf", "IMPRICE", Array(code, edition, price_book))
        Exit Function
    #End If
failed:
    IMPRICE = Err.Description
End Function

Function IMQUOTE(edition, Optional peak_dau, Optional peak_groups, Optional addons, Optional months, Optional price_book)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        IMQUOTE = XLPy.CallUDF("xlpricing.udf", "IMQUOTE", Array(edition, peak_dau, peak_groups, addons, months, price_book), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        IMQUOTE = XLPy.CallUDF("xlpricing.udf", "IMQUOTE", Array(edition, peak_dau, peak_groups, addons, months, price_book))
        Exit Function
    #End If
failed:
    IMQUOTE = Err.Description
End Function

Function IMQUOTE_LINES(edition, Optional peak_dau, Optional peak_groups, Optional addons, Optional months, Optional price_book)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        IMQUOTE_LINES = XLPy.CallUDF("xlpricing.udf", "IMQUOTE_LINES", Array(edition, peak_dau, peak_groups, addons, months, price_book), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        IMQUOTE_LINES = XLPy.CallUDF("xlpricing.udf", "IMQUOTE_LINES", Array(edition, peak_dau, peak_groups, addons, months, price_book))
        Exit Function
    #End If
failed:
    IMQUOTE_LINES = Err.Description
End Function

